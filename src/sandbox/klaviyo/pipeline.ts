import zlib from 'zlib';
import {
  type ApiError, invalid, invalidParameter, methodNotAllowed, notAuthenticated, notFound, parseError, payloadTooLarge,
  permissionDenied, throttled, unsupportedMediaType,
} from './errors';
import * as handlers from './handlers';
import * as provision from './provision-handlers';
import type { Reply, Stores } from './handlers';
import {
  LIMITS, bulkCreateEventsViolations, type BulkMaxima, bulkImportViolations, createEventViolations, profileUpsertViolations,
} from './limits';
import type { OperationSpec, RouteMatch } from './operations';
import type { FixedWindowRateLimiter, RetryAfterTracker } from './rate-limiter';
import { type KeyScopes, missingScopes } from './scopes';
import { SPEC_REVISION } from './spec';
import { type BodyValidators, violationsFromAjv } from './validator';
import type { ErrorObject } from 'ajv';

export interface IncomingCall {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
  /** The body went past the 5 MB limit and was not kept. */
  readonly bodyTooLarge: boolean;
}

export interface Outcome {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: object | null;
  readonly errors: readonly ApiError[];
  /** The request was refused by schema or documented-limit validation. */
  readonly validationFailed: boolean;
}

export interface PipelineDeps {
  /** Every private key the account has, with its scopes. */
  readonly keys: KeyScopes;
  /** Rate limits and Retry-After are per account: every key of it shares them. */
  readonly account: string;
  readonly validators: BodyValidators;
  readonly limiter: FixedWindowRateLimiter | null;
  readonly retryAfter: RetryAfterTracker;
  readonly stores: Stores;
  readonly bulkMaxima: BulkMaxima;
}

const KEY_PREFIX = 'Klaviyo-API-Key ';
const REVISION = /^(\d{4}-\d{2}-\d{2})(\.[a-z]+)?$/;
/** The first GA revision; anything older was never served. */
const FIRST_REVISION = '2022-10-17';
const JSON_TYPES = new Set(['application/json', 'application/vnd.api+json']);

const errorOutcome = (errors: readonly ApiError[], headers: Record<string, string> = {}, validationFailed = false): Outcome =>
  ({ status: errors[0].status, headers, body: { errors }, errors, validationFailed });

const fromReply = (reply: Reply, headers: Record<string, string>): Outcome => ('errors' in reply
  ? errorOutcome(reply.errors, headers)
  : { status: reply.status, headers, body: reply.body, errors: [], validationFailed: false });

/**
 * Everything between routing and the handler, in Klaviyo's order: auth (401), scopes (403), rate limit (429), revision (400),
 * media type (415), size (413), JSON (400), schema and documented limits (400), then the handler's own rules.
 */
export function processCall(deps: PipelineDeps, route: RouteMatch, call: IncomingCall, nowMs: number): Outcome {
  if (route.kind === 'not_found') return errorOutcome([notFound()]);
  if (route.kind === 'method_not_allowed') return errorOutcome([methodNotAllowed(call.method)]);
  const { operation, params } = route;

  const authorization = call.headers.authorization;
  const scopes = authorization?.startsWith(KEY_PREFIX) ? deps.keys.get(authorization.slice(KEY_PREFIX.length)) : undefined;
  if (!scopes) return errorOutcome([notAuthenticated(Boolean(authorization))]);
  const missing = missingScopes(scopes, operation.scopes);
  if (missing.length > 0) return errorOutcome([permissionDenied(missing)]);

  const headers: Record<string, string> = {};
  if (deps.limiter) {
    const decision = deps.limiter.take(deps.account, operation.id, nowMs);
    if (!decision.allowed) {
      deps.retryAfter.advise(deps.account, operation.id, nowMs, decision.retryAfterSeconds);
      return errorOutcome([throttled(decision.retryAfterSeconds)], { 'Retry-After': String(decision.retryAfterSeconds) });
    }
    headers['RateLimit-Limit'] = String(decision.limit);
    headers['RateLimit-Remaining'] = String(decision.remaining);
    headers['RateLimit-Reset'] = String(decision.resetSeconds);
  }

  const revisionError = checkRevision(call.headers.revision);
  if (revisionError) return errorOutcome([revisionError], headers);

  if (operation.method === 'GET') return fromReply(handleGet(deps.stores, operation, params, call.query), headers);

  const parsed = parseBody(call);
  if ('error' in parsed) return errorOutcome([parsed.error], headers);
  const reply = handleBody(deps, operation, params, parsed.json, parsed.bytes, nowMs);
  return 'invalid' in reply ? errorOutcome(reply.invalid, headers, true) : fromReply(reply, headers);
}

function checkRevision(revision: string | undefined): ApiError | null {
  if (!revision) return invalidParameter('revision', 'The `revision` header is required (format: YYYY-MM-DD[.suffix]).');
  const match = REVISION.exec(revision);
  if (!match || Number.isNaN(Date.parse(match[1]))) {
    return invalidParameter('revision', `Invalid revision '${revision}' (format: YYYY-MM-DD[.suffix]).`);
  }
  if (match[1] < FIRST_REVISION || match[1] > SPEC_REVISION) {
    return invalidParameter('revision', `Revision '${revision}' is not a valid revision.`);
  }
  return null;
}

function parseBody(call: IncomingCall): { json: unknown; bytes: number } | { error: ApiError } {
  const mediaType = (call.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!JSON_TYPES.has(mediaType)) {
    return { error: unsupportedMediaType(`Unsupported media type "${mediaType}" in request; use application/json.`) };
  }
  const encoding = (call.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return { error: unsupportedMediaType(`Unsupported content encoding "${encoding}".`) };
  }
  if (call.bodyTooLarge) return { error: payloadTooLarge(LIMITS.bodyBytes) };
  let text: string;
  try {
    // The 5 MB limit applies to the decompressed payload.
    const raw = encoding === 'gzip' ? zlib.gunzipSync(call.body, { maxOutputLength: LIMITS.bodyBytes }) : call.body;
    text = raw.toString('utf8');
  } catch (err) {
    const tooBig = err instanceof RangeError || (err instanceof Error && /maxOutputLength|buffer/i.test(err.message));
    return { error: tooBig ? payloadTooLarge(LIMITS.bodyBytes) : parseError('the gzip body could not be decoded') };
  }
  try {
    return { json: JSON.parse(text), bytes: Buffer.byteLength(text, 'utf8') };
  } catch (err) {
    return { error: parseError(err instanceof Error ? err.message : 'invalid JSON') };
  }
}

type BodyReply = Reply | { readonly invalid: readonly ApiError[] };

const schemaFailure = (errors: ErrorObject[] | null | undefined): BodyReply =>
  ({ invalid: violationsFromAjv(errors ?? []).map(invalid) });

function limitFailure(violations: ReturnType<typeof createEventViolations>): BodyReply | null {
  return violations.length > 0 ? { invalid: violations.map(invalid) } : null;
}

/** `bytes`: the decompressed body's size, which a bulk job's processing time depends on. */
/** A documented rule the schema cannot express (one trigger, links...): counted as a validation failure too. */
const ruleFailure = (reply: Reply): BodyReply => ('errors' in reply && reply.status === 400 ? { invalid: reply.errors } : reply);

function handleBody(
  deps: PipelineDeps, operation: OperationSpec, params: Readonly<Record<string, string>>, json: unknown, bytes: number, nowMs: number,
): BodyReply {
  const { validators: v, stores } = deps;
  const now = new Date(nowMs);
  switch (operation.id) {
    case 'create_event':
      if (!v.create_event(json)) return schemaFailure(v.create_event.errors);
      return limitFailure(createEventViolations(json, now)) ?? handlers.createEvent(stores, json);
    case 'bulk_create_events':
      if (!v.bulk_create_events(json)) return schemaFailure(v.bulk_create_events.errors);
      return limitFailure(bulkCreateEventsViolations(json, now, deps.bulkMaxima)) ?? handlers.bulkCreateEvents(stores, json, bytes);
    case 'create_or_update_profile':
      if (!v.create_or_update_profile(json)) return schemaFailure(v.create_or_update_profile.errors);
      return limitFailure(profileUpsertViolations(json)) ?? handlers.createOrUpdateProfile(stores, json);
    case 'bulk_import_profiles':
      if (!v.bulk_import_profiles(json)) return schemaFailure(v.bulk_import_profiles.errors);
      return limitFailure(bulkImportViolations(json, deps.bulkMaxima)) ?? handlers.bulkImportProfiles(stores, json, bytes);
    case 'create_segment':
      return v.create_segment(json) ? provision.createSegment(stores, json) : schemaFailure(v.create_segment.errors);
    case 'update_segment':
      return v.update_segment(json) ? provision.updateSegment(stores, params.id, json) : schemaFailure(v.update_segment.errors);
    case 'create_template':
      return v.create_template(json) ? provision.createTemplate(stores, json) : schemaFailure(v.create_template.errors);
    case 'create_flow':
      return v.create_flow(json) ? ruleFailure(provision.createFlow(stores, json)) : schemaFailure(v.create_flow.errors);
    case 'update_flow':
      return v.update_flow(json) ? provision.updateFlow(stores, params.id, json) : schemaFailure(v.update_flow.errors);
    case 'update_flow_action':
      return v.update_flow_action(json) ? provision.updateFlowAction(stores, params.id, json) : schemaFailure(v.update_flow_action.errors);
    case 'create_tag':
      return v.create_tag(json) ? provision.createTag(stores, json) : schemaFailure(v.create_tag.errors);
    case 'tag_flows':
      return v.tag_flows(json) ? provision.tagObjects(stores, params.id, 'flows', json) : schemaFailure(v.tag_flows.errors);
    case 'tag_segments':
      return v.tag_segments(json) ? provision.tagObjects(stores, params.id, 'segments', json) : schemaFailure(v.tag_segments.errors);
    default:
      throw new Error(`${operation.id} takes no body`);
  }
}

function handleGet(stores: Stores, operation: OperationSpec, params: Readonly<Record<string, string>>, query: URLSearchParams): Reply {
  switch (operation.id) {
    case 'get_bulk_import_profiles_job':
      return handlers.getImportJob(stores, params.job_id);
    case 'get_errors_for_bulk_import_profiles_job':
      return handlers.getImportErrors(stores, params.id, query);
    case 'get_accounts':
      return handlers.getAccounts(stores);
    case 'get_metrics':
      return provision.getMetrics(stores, query, stores.metricsPageSize);
    case 'get_segments':
      return provision.getSegments(stores, query);
    case 'get_templates':
      return provision.getTemplates(stores, query);
    case 'get_flows':
      return provision.getFlows(stores, query);
    case 'get_flow':
      return provision.getFlow(stores, params.id, query);
    case 'get_tags':
      return provision.getTags(stores, query);
    default:
      throw new Error(`${operation.id} is not a GET operation`);
  }
}
