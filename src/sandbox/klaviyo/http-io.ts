import type http from 'http';
import { readBoundedBody } from '../../util/read-body';

export interface ReadBody {
  readonly body: Buffer;
  readonly tooLarge: boolean;
}

/** Reads at most `limit` bytes and drains the rest, so an oversized upload still gets its 413; a broken upload is empty. */
export async function readBody(req: http.IncomingMessage, limit: number): Promise<ReadBody> {
  const body = await readBoundedBody(req, limit).catch(() => Buffer.alloc(0));
  return body === null ? { body: Buffer.alloc(0), tooLarge: true } : { body, tooLarge: false };
}

export function headerMap(req: http.IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
