import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Kind, execute, getOperationAST, getVariableValues, parse, validate,
  type DocumentNode, type FragmentDefinitionNode, type GraphQLError, type GraphQLSchema,
} from 'graphql';
import { systemClock, type Clock } from '../../util/clock';
import { CostBucket, type ThrottleStatus } from './bucket';
import { BulkOperations, type BulkFailure, type BulkOptions } from './bulk';
import { actualCost, requestedCost, type CostInput } from './cost';
import { FaultInjector, type Fault } from './faults';
import { sandboxFieldResolver } from './resolve';
import { rootValue, type RootContext } from './root';
import { FULL_ACCESS, visibleFrom } from './scopes';
import { SandboxReturns } from './returns';
import { ShopifyWebhookSender } from './webhooks';
import { SANDBOX_API_VERSION, adminSchema } from './schema';
import type { SandboxStore } from './store';

export const MAX_QUERY_COST = 1000;
const DOCS = 'https://shopify.dev/api/usage/rate-limits';
const INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)';

export interface ShopifySandboxOptions {
  readonly store: SandboxStore;
  readonly port?: number;
  readonly accessToken?: string;
  /** Scopes of `accessToken` (default: `read_orders`, `read_all_orders`). */
  readonly scopes?: readonly string[];
  /** Further tokens and their scopes, e.g. one without `read_all_orders`. */
  readonly tokens?: Readonly<Record<string, readonly string[]>>;
  readonly bulk?: BulkOptions;
  readonly shopDomain?: string;
  readonly clock?: Clock;
  readonly throttle?: { readonly maximumAvailable: number; readonly restoreRate: number } | 'off';
  /** Seeds fault injection. */
  readonly seed?: number;
}

export type RejectionReason = 'syntax' | 'validation' | 'variables' | 'arguments' | 'max_cost';

export interface RejectedQuery {
  readonly operationName: string | null;
  readonly query: string;
  readonly reason: RejectionReason;
  readonly messages: readonly string[];
}

export interface RequestRecord {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly operationName: string | null;
  readonly fault: Fault['kind'] | null;
  readonly outcome: 'ok' | 'unauthorized' | 'rejected' | 'throttled' | 'fault' | 'not_found' | 'bad_request';
  readonly requestedQueryCost: number | null;
  readonly actualQueryCost: number | null;
}

export interface ShopifySandbox {
  /** http://127.0.0.1:<port>: what `https://<shopDomain>` must be rewritten to. */
  readonly url: string;
  readonly shopDomain: string;
  readonly accessToken: string;
  readonly apiVersion: string;
  readonly store: SandboxStore;
  readonly faults: FaultInjector;
  /** A fetch for `customFetchApi` of @shopify/admin-api-client: sends `https://<shopDomain>/…` to the sandbox. */
  fetchApi(url: string, init?: RequestInit): Promise<Response>;
  rejectedQueries(): readonly RejectedQuery[];
  requests(): readonly RequestRecord[];
  throttleStatus(): ThrottleStatus;
  /** Settles when every started bulk operation has completed. */
  bulkIdle(): Promise<void>;
  /** The next bulk operation started ends FAILED (with partial data) after that many orders. */
  failNextBulk(failure: BulkFailure): void;
  /** Returns and refunds as a merchant or returns app drives them; each step sends its webhook (returns.ts). */
  readonly returns: SandboxReturns;
  /** Webhook subscriptions and every delivery sent (webhooks.ts). */
  readonly webhooks: ShopifyWebhookSender;
  close(): Promise<void>;
}

interface GraphqlBody {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly operationName: string | null;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

type Outcome = Pick<RequestRecord, 'outcome' | 'operationName' | 'requestedQueryCost' | 'actualQueryCost'>;

function parseBody(raw: string): GraphqlBody | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { query, variables, operationName } = parsed as Record<string, unknown>;
    if (typeof query !== 'string' || query.trim() === '') return null;
    return {
      query,
      variables: typeof variables === 'object' && variables !== null ? (variables as Record<string, unknown>) : {},
      operationName: typeof operationName === 'string' ? operationName : null,
    };
  } catch {
    return null;
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function errorsJson(errors: readonly GraphQLError[]): unknown[] {
  return errors.map((e) => e.toJSON());
}

class GraphqlEndpoint {
  private readonly rejected: RejectedQuery[] = [];
  private readonly bucket: CostBucket | null;
  private readonly limits: { maximumAvailable: number; restoreRate: number };
  readonly bulk: BulkOperations;
  private readonly root: Record<string, unknown>;

  constructor(private readonly schema: GraphQLSchema, private readonly store: SandboxStore, options: ShopifySandboxOptions, clock: Clock, shopDomain: string, baseUrl: () => string) {
    this.limits = options.throttle && options.throttle !== 'off' ? options.throttle : { maximumAvailable: 2000, restoreRate: 100 };
    this.bucket = options.throttle === 'off' ? null : new CostBucket(this.limits.maximumAvailable, this.limits.restoreRate, clock);
    this.bulk = new BulkOperations(schema, store, baseUrl, options.bulk);
    this.root = rootValue(store, this.bulk, {
      name: shopDomain.split('.')[0], myshopifyDomain: shopDomain, currencyCode: store.currency, ianaTimezone: 'Etc/UTC',
    });
  }

  rejections(): readonly RejectedQuery[] {
    return this.rejected;
  }

  throttleStatus(): ThrottleStatus {
    return this.bucket?.status() ?? { ...this.limits, currentlyAvailable: this.limits.maximumAvailable };
  }

  private cost(requested: number, actual: number | null): Record<string, unknown> {
    return { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: this.throttleStatus() } };
  }

  private reject(body: GraphqlBody, reason: RejectionReason, errors: readonly GraphQLError[]): { reply: Reply; outcome: Outcome } {
    this.rejected.push({ operationName: body.operationName, query: body.query, reason, messages: errors.map((e) => e.message) });
    return {
      reply: { status: 200, body: { errors: errorsJson(errors) } },
      outcome: { outcome: 'rejected', operationName: body.operationName, requestedQueryCost: null, actualQueryCost: null },
    };
  }

  /** Everything up to execution: the checks Shopify makes before it charges or runs anything. */
  private prepare(body: GraphqlBody): { input: CostInput; document: DocumentNode; requested: number } | { reply: Reply; outcome: Outcome } {
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (error) {
      return this.reject(body, 'syntax', [error as GraphQLError]);
    }
    const invalid = validate(this.schema, document);
    if (invalid.length > 0) return this.reject(body, 'validation', invalid);
    const operation = getOperationAST(document, body.operationName);
    if (!operation) return this.reject(body, 'validation', []);
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], body.variables);
    if (coerced.errors) return this.reject(body, 'variables', coerced.errors);
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const input: CostInput = { schema: this.schema, operation, fragments, variables: coerced.coerced };
    const { cost: requested, errors } = requestedCost(input);
    if (errors.length > 0) return this.reject(body, 'arguments', errors);
    if (requested > MAX_QUERY_COST) {
      this.rejected.push({ operationName: body.operationName, query: body.query, reason: 'max_cost', messages: [`Query cost is ${requested}`] });
      return {
        reply: {
          status: 200,
          body: {
            errors: [{
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
              extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_QUERY_COST, documentation: DOCS },
            }],
            extensions: this.cost(requested, null),
          },
        },
        outcome: { outcome: 'rejected', operationName: body.operationName, requestedQueryCost: requested, actualQueryCost: null },
      };
    }
    return { input, document, requested };
  }

  private throttled(operationName: string | null, requested: number): { reply: Reply; outcome: Outcome } {
    return {
      reply: {
        status: 200,
        body: {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: DOCS } }],
          extensions: this.cost(requested, null),
        },
      },
      outcome: { outcome: 'throttled', operationName, requestedQueryCost: requested, actualQueryCost: null },
    };
  }

  /** A THROTTLED fault: answered like a real throttle, but nothing is recorded, charged or run. */
  faultThrottled(body: GraphqlBody): { reply: Reply; outcome: Outcome } {
    let requested = 0;
    try {
      const document = parse(body.query);
      const operation = getOperationAST(document, body.operationName);
      const coerced = operation ? getVariableValues(this.schema, operation.variableDefinitions ?? [], body.variables) : null;
      if (operation && coerced && !coerced.errors) {
        requested = requestedCost({ schema: this.schema, operation, fragments: new Map(), variables: coerced.coerced }).cost;
      }
    } catch {
      requested = 0;
    }
    return this.throttled(body.operationName, requested);
  }

  handle(body: GraphqlBody, scopes: readonly string[]): { reply: Reply; outcome: Outcome } {
    const prepared = this.prepare(body);
    if ('reply' in prepared) return prepared;
    const { input, document, requested } = prepared;
    // The log names what ran: the request's operationName, or the document's own (clients often send only the query).
    const ran = body.operationName ?? input.operation.name?.value ?? null;
    if (this.bucket && !this.bucket.take(requested)) return this.throttled(ran, requested);
    const context: RootContext = { store: this.store, bulk: false, scopes, searchWarnings: [], visibleFrom: visibleFrom(scopes, this.store.now()) };
    const result = execute({
      schema: this.schema, document, rootValue: this.root, contextValue: context, variableValues: input.variables,
      operationName: body.operationName, fieldResolver: sandboxFieldResolver,
    });
    if ('then' in result) throw new Error('sandbox resolvers must be synchronous');
    const actual = result.data ? actualCost(input, result.data) : requested;
    this.bucket?.refund(requested - actual);
    const extensions: Record<string, unknown> = this.cost(requested, actual);
    if (context.searchWarnings.length > 0) extensions.search = context.searchWarnings;
    return {
      reply: { status: 200, body: { ...(result.errors ? { errors: errorsJson(result.errors) } : {}), data: result.data ?? null, extensions } },
      outcome: { outcome: 'ok', operationName: ran, requestedQueryCost: requested, actualQueryCost: actual },
    };
  }
}

function faultReply(fault: Fault): Reply | null {
  switch (fault.kind) {
    case 'rate_limited':
      return {
        status: 429,
        headers: { 'retry-after': fault.retryAfterSeconds.toFixed(1) },
        body: { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' },
      };
    case 'server_error':
      return { status: 503, body: { errors: 'Service Unavailable' } };
    default:
      return null;
  }
}

/**
 * A local Shopify Admin GraphQL API (2026-10) over a SandboxStore: the real schema validates every query, cost is
 * charged against a leaky bucket, bulk operations export JSONL, and faults can be injected from a seeded PRNG.
 */
export async function startShopifySandbox(options: ShopifySandboxOptions): Promise<ShopifySandbox> {
  const clock = options.clock ?? systemClock;
  if (options.clock) options.store.useClock(options.clock);
  const accessToken = options.accessToken ?? 'shpat_sandbox_token';
  const shopDomain = options.shopDomain ?? 'shipsignal-sandbox.myshopify.com';
  const faults = new FaultInjector(options.seed ?? 1);
  const tokens = new Map<string, readonly string[]>([[accessToken, options.scopes ?? FULL_ACCESS], ...Object.entries(options.tokens ?? {})]);
  const log: RequestRecord[] = [];
  let baseUrl = '';
  const endpoint = new GraphqlEndpoint(adminSchema(), options.store, options, clock, shopDomain, () => baseUrl);
  const graphqlPath = `/admin/api/${SANDBOX_API_VERSION}/graphql.json`;

  const send = (res: http.ServerResponse, reply: Reply): void => {
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  };

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const record = (status: number, outcome: Partial<Outcome> & Pick<Outcome, 'outcome'>, fault: Fault['kind'] | null = null): void => {
      log.push({
        at: clock.now().toISOString(), method: req.method ?? 'GET', path, status, fault,
        operationName: null, requestedQueryCost: null, actualQueryCost: null, ...outcome,
      });
    };
    const bulkFile = /^\/bulk-operations\/(\d+)(\.partial)?\.jsonl$/.exec(path);
    if (req.method === 'GET' && bulkFile) {
      const file = endpoint.bulk.file(Number(bulkFile[1]), bulkFile[2] !== undefined);
      if (file === 'expired') {
        // What a signed storage URL answers once its expiry has passed (S3: 403 AccessDenied, "Request has expired").
        record(403, { outcome: 'not_found' });
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
        return;
      }
      if (!file) {
        record(404, { outcome: 'not_found' });
        return send(res, { status: 404, body: { errors: 'Not Found' } });
      }
      record(200, { outcome: 'ok' });
      res.writeHead(200, { 'content-type': 'application/jsonl' });
      fs.createReadStream(file).pipe(res);
      return;
    }
    if (path !== graphqlPath || req.method !== 'POST') {
      record(404, { outcome: 'not_found' });
      return send(res, { status: 404, body: { errors: 'Not Found' } });
    }
    const token = req.headers['x-shopify-access-token'];
    const scopes = typeof token === 'string' ? tokens.get(token) : undefined;
    if (!scopes) {
      record(401, { outcome: 'unauthorized' });
      return send(res, { status: 401, body: { errors: INVALID_TOKEN } });
    }
    const fault = faults.next();
    if (fault?.kind === 'reset') {
      record(0, { outcome: 'fault' }, 'reset');
      req.socket.destroy();
      return;
    }
    const faulted = fault ? faultReply(fault) : null;
    if (fault && faulted) {
      record(faulted.status, { outcome: 'fault' }, fault.kind);
      return send(res, faulted);
    }
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    const body = parseBody(await readBody(req));
    if (!body) {
      record(400, { outcome: 'bad_request' }, fault?.kind ?? null);
      return send(res, { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } });
    }
    const { reply, outcome } = fault?.kind === 'throttled' ? endpoint.faultThrottled(body) : endpoint.handle(body, scopes);
    record(reply.status, outcome, fault?.kind ?? null);
    send(res, reply);
  };

  const server = http.createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { errors: `sandbox failure: ${(error as Error).message}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const origin = `https://${shopDomain}`;
  const webhooks = new ShopifyWebhookSender(shopDomain, clock);

  return {
    url: baseUrl,
    shopDomain,
    accessToken,
    apiVersion: SANDBOX_API_VERSION,
    store: options.store,
    faults,
    fetchApi: (url, init) => fetch(url.startsWith(origin) ? baseUrl + url.slice(origin.length) : url, init),
    rejectedQueries: () => endpoint.rejections(),
    requests: () => log,
    throttleStatus: () => endpoint.throttleStatus(),
    bulkIdle: () => endpoint.bulk.idle(),
    failNextBulk: (failure) => endpoint.bulk.failNext(failure),
    returns: new SandboxReturns(options.store, webhooks),
    webhooks,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await endpoint.bulk.close();
    },
  };
}
