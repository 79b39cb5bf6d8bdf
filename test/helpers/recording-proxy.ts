import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, type OperationDefinitionNode } from 'graphql';

/** One request as it crossed the wire, and whether it asks the provider to change anything. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** For GraphQL bodies: the operation types the document holds (`query`, `mutation`, `subscription`). */
  readonly operations: readonly string[];
  readonly mutating: boolean;
}

export interface RecordingProxy {
  /** Base URL to give the client instead of the target's (same path layout). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  mutating(): RecordedRequest[];
  close(): Promise<void>;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function graphqlOperations(body: string): string[] {
  try {
    const { query } = JSON.parse(body) as { query?: unknown };
    if (typeof query !== 'string') return [];
    return parse(query).definitions
      .filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')
      .map((d) => d.operation);
  } catch {
    return [];
  }
}

/**
 * A transparent HTTP proxy in front of a sandbox that records every request, independent of the sandbox's own
 * bookkeeping: a request is mutating if its method is not a read, unless it is a GraphQL POST whose document holds
 * only queries (Shopify reads through POST). An unparsable GraphQL body counts as mutating.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void forward(req).then(({ status, headers, body }) => {
      res.writeHead(status, headers);
      res.end(body);
    }, (error: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  async function forward(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const isGraphql = /graphql\.json/.test(path);
    const operations = isGraphql ? graphqlOperations(body.toString('utf8')) : [];
    const mutating = isGraphql ? operations.length === 0 || operations.some((op) => op !== 'query') : !READ_METHODS.has(method);
    requests.push({ method, path, operations, mutating });
    const headers = Object.fromEntries(Object.entries(req.headers)
      .filter(([name, value]) => typeof value === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name))) as Record<string, string>;
    const response = await fetch(`${target}${path}`, { method, headers, ...(READ_METHODS.has(method) ? {} : { body }) });
    const answer = Buffer.from(await response.arrayBuffer());
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(name)) out[name] = value;
    });
    return { status: response.status, headers: out, body: answer };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    mutating: () => requests.filter((r) => r.mutating),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
