import type { IncomingMessage } from 'node:http';

/**
 * Reads at most `limit` bytes of a request body; null when it is larger. The rest is read and dropped rather than
 * left unread, so the caller can still answer 413 on the same connection. Used by the sandboxes (the daemon's own
 * HTTP face is on fastify, whose bodyLimit does the same).
 */
export function readBoundedBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
