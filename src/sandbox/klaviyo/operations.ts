import type { JsonObject, OpenApiDocument, OpenApiOperation } from './spec';

/** The operations the sandbox serves, by their spec operationId. */
export const SERVED = [
  { id: 'create_event', method: 'POST', path: '/api/events' },
  { id: 'bulk_create_events', method: 'POST', path: '/api/event-bulk-create-jobs' },
  { id: 'create_or_update_profile', method: 'POST', path: '/api/profile-import' },
  { id: 'bulk_import_profiles', method: 'POST', path: '/api/profile-bulk-import-jobs' },
  { id: 'get_bulk_import_profiles_job', method: 'GET', path: '/api/profile-bulk-import-jobs/{job_id}' },
  { id: 'get_errors_for_bulk_import_profiles_job', method: 'GET', path: '/api/profile-bulk-import-jobs/{id}/import-errors' },
  { id: 'get_accounts', method: 'GET', path: '/api/accounts' },
  // `shipsignal setup`: metrics, segments, templates, flows and tags.
  { id: 'get_metrics', method: 'GET', path: '/api/metrics' },
  { id: 'get_segments', method: 'GET', path: '/api/segments' },
  { id: 'create_segment', method: 'POST', path: '/api/segments' },
  { id: 'update_segment', method: 'PATCH', path: '/api/segments/{id}' },
  { id: 'get_templates', method: 'GET', path: '/api/templates' },
  { id: 'create_template', method: 'POST', path: '/api/templates' },
  { id: 'get_flows', method: 'GET', path: '/api/flows' },
  { id: 'create_flow', method: 'POST', path: '/api/flows' },
  { id: 'get_flow', method: 'GET', path: '/api/flows/{id}' },
  { id: 'update_flow', method: 'PATCH', path: '/api/flows/{id}' },
  { id: 'update_flow_action', method: 'PATCH', path: '/api/flow-actions/{id}' },
  { id: 'get_tags', method: 'GET', path: '/api/tags' },
  { id: 'create_tag', method: 'POST', path: '/api/tags' },
  { id: 'tag_flows', method: 'POST', path: '/api/tags/{id}/relationships/flows' },
  { id: 'tag_segments', method: 'POST', path: '/api/tags/{id}/relationships/segments' },
] as const;

export type OperationId = (typeof SERVED)[number]['id'];
export type BodyOperationId = Extract<(typeof SERVED)[number], { method: 'POST' | 'PATCH' }>['id'];

export interface RateLimit {
  /** Requests allowed per 1-second window. */
  readonly burst: number;
  /** Requests allowed per 60-second window. */
  readonly steady: number;
  /** Requests allowed per UTC day, for the endpoints the spec caps daily (create_flow, create_segment: 100/d). */
  readonly daily?: number;
}

export interface OperationSpec {
  readonly id: OperationId;
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
  /** Component schema name of the request body, for POST operations. */
  readonly bodySchema: string | null;
  readonly rateLimit: RateLimit;
  /** Every scope a key needs for this operation (`x-klaviyo-scopes`). */
  readonly scopes: readonly string[];
}

/** "10/s" / "150/m" → requests per window of that unit; the spec uses no other units. */
export function parseRate(text: string, unit: 's' | 'm' | 'd'): number {
  const match = /^(\d+)\/([smd])$/.exec(text);
  if (!match || match[2] !== unit) throw new Error(`unexpected rate "${text}" (expected n/${unit})`);
  return Number(match[1]);
}

function bodySchemaName(op: OpenApiOperation): string | null {
  const content = op.requestBody?.content;
  if (!content) return null;
  const schema: JsonObject | undefined = content['application/vnd.api+json']?.schema ?? content['application/json']?.schema;
  const ref = schema?.$ref;
  return typeof ref === 'string' ? ref.split('/').pop() ?? null : null;
}

/** Each served operation with its route pattern, body schema and documented rate limit, read from the spec. */
export function resolveOperations(spec: OpenApiDocument): OperationSpec[] {
  return SERVED.map((served) => {
    const op = spec.paths[served.path]?.[served.method.toLowerCase()];
    if (!op || op.operationId !== served.id) throw new Error(`spec has no ${served.id} at ${served.method} ${served.path}`);
    const limit: { burst: string; steady: string; daily?: string } | undefined = op['x-klaviyo-ratelimit'];
    if (!limit) throw new Error(`spec gives no rate limit for ${served.id}`);
    const scopes = op['x-klaviyo-scopes'];
    if (!scopes || scopes.length === 0) throw new Error(`spec gives no scopes for ${served.id}`);
    const paramNames = [...served.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const source = served.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '([^/]+)');
    return {
      id: served.id,
      method: served.method,
      path: served.path,
      // Klaviyo answers with or without the trailing slash.
      pattern: new RegExp(`^${source}/?$`),
      paramNames,
      bodySchema: bodySchemaName(op),
      rateLimit: {
        burst: parseRate(limit.burst, 's'), steady: parseRate(limit.steady, 'm'),
        ...(limit.daily ? { daily: parseRate(limit.daily, 'd') } : {}),
      },
      scopes: [...scopes],
    };
  });
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly operation: OperationSpec; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'method_not_allowed' }
  | { readonly kind: 'not_found' };

export function matchRoute(operations: readonly OperationSpec[], method: string, pathname: string): RouteMatch {
  let pathMatched = false;
  for (const operation of operations) {
    const match = operation.pattern.exec(pathname);
    if (!match) continue;
    if (operation.method !== method) {
      pathMatched = true;
      continue;
    }
    const params = Object.fromEntries(operation.paramNames.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
    return { kind: 'found', operation, params };
  }
  return pathMatched ? { kind: 'method_not_allowed' } : { kind: 'not_found' };
}
