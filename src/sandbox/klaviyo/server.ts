import http from 'http';
import { headerMap, readBody } from './http-io';
import type { AddressInfo, Socket } from 'net';
import { type Clock, systemClock } from '../../util/clock';
import { sleep } from '../../util/retry';
import { type ApiError, serverError, throttled } from './errors';
import { EventStore } from './event-store';
import { type Fault, FaultInjector } from './faults';
import type { Stores } from './handlers';
import { EventJobs, type EventJobTiming } from './event-jobs';
import { ImportJobs } from './import-jobs';
import { DEFAULT_EVENT_JOB_TIMING, DEFAULT_PROFILE_JOB_TIMING, JobTimers, checkTiming, fixedJobTiming } from './job-timing';
import { scaleLimit } from '../../sinks/klaviyo/limits';
import { DOCUMENTED_BULK_MAXIMA, LIMITS, type BulkMaxima } from './limits';
import { type OperationId, type RateLimit, matchRoute, resolveOperations } from './operations';
import { type Outcome, processCall } from './pipeline';
import { ProfileStore } from './profile-store';
import type { KlaviyoSandbox, KlaviyoSandboxOptions } from './api';
import { ProvisionStore, type StoredFlow, type StoredSegment, type StoredTag, type StoredTemplate } from './provision-store';
import { FixedWindowRateLimiter, RetryAfterTracker } from './rate-limiter';
import { FULL_ACCESS, type KeyScopes, grantedScopes } from './scopes';
import { loadKlaviyoSpec } from './spec';
import type { EarlyRetry, FaultKind, RequestRecord, SandboxEvent, SandboxProfile, SandboxStats } from './types';
import { compileBodyValidators } from './validator';

export type { KlaviyoSandbox, KlaviyoSandboxOptions } from './api';

export const DEFAULT_API_KEY = 'pk_sandbox_0000000000000000000000000000';
const ACCOUNT_ID = 'SBXACCT';

/**
 * How long after a 429 a request may arrive on another connection and still count as already sent. Sandbox and
 * client often share one busy event loop (tests, a loaded CI machine): requests a client issued together can reach
 * the server 100+ ms apart. A client that retries on the connection the 429 came back on is caught at once anyway.
 */
export const DEFAULT_IN_FLIGHT_GRACE_MS = 250;

interface Connection {
  readonly acceptedAt: number;
  requests: number;
  /** The last 429 answered on this connection. */
  throttled: { readonly operation: OperationId; readonly notBefore: number } | null;
}

const JSON_API = 'application/vnd.api+json';

class Sandbox implements KlaviyoSandbox {
  readonly faults: FaultInjector;
  private readonly server: http.Server;
  private readonly profileStore = new ProfileStore();
  private readonly eventStore = new EventStore();
  private readonly provisionStore = new ProvisionStore();
  private readonly jobs: ImportJobs;
  private readonly eventJobs: EventJobs;
  private readonly timers = new JobTimers();
  private readonly keys: KeyScopes;
  private readonly limiter: FixedWindowRateLimiter | null;
  private readonly bulkMaxima: BulkMaxima;
  private readonly retryAfter: RetryAfterTracker;
  private readonly validators: ReturnType<typeof compileBodyValidators>;
  private readonly log: RequestRecord[] = [];
  private readonly early: EarlyRetry[] = [];
  private onWire = 0;
  private readonly connections = new WeakMap<Socket, Connection>();
  private readonly counts = new Map<string, Map<number, number>>();
  private seq = 0;
  private baseUrl = '';
  private readonly metricsPageSize: number;

  constructor(
    readonly apiKey: string,
    private readonly clock: Clock,
    private readonly operations: ReturnType<typeof resolveOperations>,
    options: KlaviyoSandboxOptions,
  ) {
    this.metricsPageSize = options.metricsPageSize ?? 200;
    this.validators = compileBodyValidators(loadKlaviyoSpec(), operations);
    this.faults = new FaultInjector(options.seed ?? 1);
    this.keys = new Map([[apiKey, grantedScopes(FULL_ACCESS)], ...Object.entries(options.keys ?? {}).map(([key, scopes]) => [key, grantedScopes(scopes)] as const)]);
    const profileTiming = options.jobProcessingDelayMs !== undefined
      ? fixedJobTiming(options.jobProcessingDelayMs)
      : checkTiming('profileJobTiming', { ...DEFAULT_PROFILE_JOB_TIMING, ...options.profileJobTiming });
    const eventTiming: EventJobTiming = options.eventJobTiming === 'immediate'
      ? 'immediate'
      : checkTiming('eventJobTiming', { ...DEFAULT_EVENT_JOB_TIMING, ...options.eventJobTiming });
    this.jobs = new ImportJobs(this.profileStore, clock, profileTiming, this.timers);
    this.eventJobs = new EventJobs(eventTiming, this.timers);
    this.retryAfter = new RetryAfterTracker(options.inFlightGraceMs ?? DEFAULT_IN_FLIGHT_GRACE_MS);
    const divideBy = typeof options.rateLimits === 'object' ? options.rateLimits.divideBy : 1;
    this.limiter = options.rateLimits === 'off'
      ? null
      : new FixedWindowRateLimiter(new Map<OperationId, RateLimit>(operations.map((op) => [op.id, { ...op.rateLimit, ...scaleLimit(op.rateLimit, divideBy) }])));
    this.bulkMaxima = { ...DOCUMENTED_BULK_MAXIMA, ...options.bulkMaxima };
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        const error = serverError(500);
        this.respond(res, { status: 500, headers: {}, body: { errors: [error] }, errors: [error], validationFailed: false });
        process.emitWarning(`klaviyo sandbox: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      });
    });
    this.server.on('connection', (socket: Socket) => this.connections.set(socket, { acceptedAt: this.clock.now().getTime(), requests: 0, throttled: null }));
  }

  /**
   * The latest time the client can have sent this request: a connection's first request was sent before the client
   * connected (Node's agent opens a socket for a request it already has), so its accept time; a request on a reused
   * connection, when it arrived. Both are taken before this sandbox's own backlog can delay them much.
   */
  private sentBy(connection: Connection | undefined, arrived: number): number {
    if (!connection) return arrived;
    connection.requests += 1;
    return connection.requests === 1 ? connection.acceptedAt : arrived;
  }

  /**
   * Whether a request ignored a Retry-After. One sent on the very connection that carried a 429 of its endpoint
   * was written after that 429 had been read (HTTP/1.1 clients do not pipeline): early, whatever the timing.
   * Otherwise its send time decides (RetryAfterTracker), with a grace for requests the client had already sent.
   */
  private judge(connection: Connection | undefined, operation: OperationId, started: number): void {
    const mark = connection?.throttled;
    const verdict = mark && mark.operation === operation && started < mark.notBefore
      ? { kind: 'early' as const, earlyByMs: mark.notBefore - started }
      : this.retryAfter.verdict(ACCOUNT_ID, operation, started);
    if (verdict.kind === 'early') this.early.push({ operation, at: new Date(started).toISOString(), earlyByMs: verdict.earlyByMs });
    if (verdict.kind === 'on_wire') this.onWire += 1;
  }

  private markThrottled(connection: Connection | undefined, operation: OperationId | null, retryAfter: string | undefined): void {
    const seconds = Number(retryAfter);
    if (connection && operation && Number.isFinite(seconds)) {
      connection.throttled = { operation, notBefore: this.clock.now().getTime() + seconds * 1000 };
    }
  }

  get url(): string {
    return this.baseUrl;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
  }

  private get stores(): Stores {
    return {
      profiles: this.profileStore, events: this.eventStore, jobs: this.jobs, eventJobs: this.eventJobs, clock: this.clock,
      base: this.baseUrl, accountId: ACCOUNT_ID, provision: this.provisionStore, metricsPageSize: this.metricsPageSize,
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const seq = ++this.seq;
    // When it was sent at the latest: a large body is still on its way while other requests are answered.
    const connection = this.connections.get(req.socket);
    const started = this.sentBy(connection, this.clock.now().getTime());
    const { body, tooLarge } = await readBody(req, LIMITS.bodyBytes);
    // Validation and handling wait for the check phase, so every request whose bytes are already here is stamped on
    // arrival first: stamps taken between other requests' handling would look like requests sent after a 429.
    await new Promise((resolve) => setImmediate(resolve));
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const headers = headerMap(req);
    const route = matchRoute(this.operations, method, url.pathname);
    const operation = route.kind === 'found' ? route.operation.id : null;
    const arrived = this.clock.now().getTime();

    if (operation) this.judge(connection, operation, started);

    const fault = this.faults.decide(seq, operation);
    if (fault && fault.kind === 'delay') await sleep(fault.ms);
    else if (fault) {
      const status = this.injectFault(fault, res, operation, arrived);
      if (fault.kind === 'throttle') this.markThrottled(connection, operation, String(fault.retryAfterSeconds));
      this.record(seq, method, url.pathname, operation, status, [], fault.kind);
      return;
    }

    const outcome = processCall(this.deps(), route, {
      method, query: url.searchParams, headers, body, bodyTooLarge: tooLarge,
    }, this.clock.now().getTime());
    this.respond(res, outcome);
    if (outcome.status === 429) this.markThrottled(connection, operation, outcome.headers['Retry-After']);
    this.record(seq, method, url.pathname, operation, outcome.status, outcome.errors, fault ? 'delay' : null,
      outcome.validationFailed);
  }

  private deps() {
    return {
      keys: this.keys, account: ACCOUNT_ID, validators: this.validators, limiter: this.limiter, retryAfter: this.retryAfter,
      stores: this.stores, bulkMaxima: this.bulkMaxima,
    };
  }

  /** Answers (or fails to answer) a faulted request; returns the status the client saw, 0 for none. */
  private injectFault(
    fault: Exclude<Fault, { kind: 'delay' }> | { readonly kind: 'outage' }, res: http.ServerResponse,
    operation: OperationId | null, nowMs: number,
  ): number {
    switch (fault.kind) {
      case 'outage':
      case 'status': {
        const status = fault.kind === 'outage' ? 503 : fault.status;
        const error = serverError(status);
        this.respond(res, { status, headers: {}, body: { errors: [error] }, errors: [error], validationFailed: false });
        return status;
      }
      case 'throttle': {
        if (operation) this.retryAfter.advise(ACCOUNT_ID, operation, nowMs, fault.retryAfterSeconds);
        const error = throttled(fault.retryAfterSeconds);
        this.respond(res, {
          status: 429, headers: { 'Retry-After': String(fault.retryAfterSeconds) }, body: { errors: [error] }, errors: [error],
          validationFailed: false,
        });
        return 429;
      }
      case 'reset':
        res.socket?.destroy();
        return 0;
      case 'truncated': {
        const text = JSON.stringify({ data: { type: 'profile', id: '01SBXTRUNCATED', attributes: { properties: {} } } });
        res.writeHead(200, { 'Content-Type': JSON_API, 'Content-Length': Buffer.byteLength(text) });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        return 0;
      }
      case 'invalid-json': {
        const text = `<html><body><h1>${fault.status} Bad Gateway</h1></body></html>`;
        res.writeHead(fault.status, { 'Content-Type': JSON_API, 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return fault.status;
      }
    }
  }

  private respond(res: http.ServerResponse, outcome: Outcome): void {
    if (res.headersSent || res.destroyed) return;
    const text = outcome.body === null ? '' : JSON.stringify(outcome.body);
    res.writeHead(outcome.status, {
      ...outcome.headers,
      ...(text ? { 'Content-Type': JSON_API } : {}),
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private record(
    seq: number, method: string, path: string, operation: OperationId | null, status: number,
    errors: readonly ApiError[], fault: FaultKind | null, validationFailed = false,
  ): void {
    const key = operation ?? 'unrouted';
    const byStatus = this.counts.get(key) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.counts.set(key, byStatus);
    this.log.push({ seq, method, path, operation, status, errors, fault, validationFailed, at: this.clock.now().toISOString() });
  }

  profiles(limit?: number): SandboxProfile[] {
    return this.profileStore.all(limit);
  }

  events(limit?: number): SandboxEvent[] {
    return this.eventStore.all(limit);
  }

  storedCounts(): { readonly events: number; readonly profiles: number; readonly eventsByMetric: Readonly<Record<string, number>> } {
    return { events: this.eventStore.size, profiles: this.profileStore.size, eventsByMetric: this.eventStore.countsByMetric() };
  }

  requests(): RequestRecord[] {
    return [...this.log];
  }

  flows(): StoredFlow[] { return [...this.provisionStore.flows.values()].map((x) => structuredClone(x)); }
  segments(): StoredSegment[] { return [...this.provisionStore.segments.values()].map((x) => structuredClone(x)); }
  templates(): StoredTemplate[] { return [...this.provisionStore.templates.values()].map((x) => structuredClone(x)); }
  tags(): StoredTag[] { return [...this.provisionStore.tags.values()].map((x) => structuredClone(x)); }

  metrics(): ReadonlyArray<{ readonly id: string; readonly name: string }> {
    return this.eventStore.metrics().map((m) => ({ id: m.id, name: m.name }));
  }

  validationFailures(): RequestRecord[] {
    return this.log.filter((r) => r.validationFailed);
  }

  earlyRetries(): EarlyRetry[] {
    return [...this.early];
  }

  stats(): SandboxStats {
    const requests: Record<string, Record<string, number>> = {};
    for (const [op, byStatus] of this.counts) requests[op] = Object.fromEntries([...byStatus].map(([s, n]) => [String(s), n]));
    return {
      requests,
      duplicatesDropped: this.eventStore.duplicatesDropped,
      earlyRetries: this.early.length,
      earlyRequests: this.early.length,
      onWireWhenThrottled: this.onWire,
      pendingEventJobs: this.eventJobs.pending,
      profileWrites: this.profileStore.writeMark,
      validationFailures: this.log.filter((r) => r.validationFailed).length,
      throttled: this.log.filter((r) => r.status === 429).length,
      faultsInjected: this.faults.injected().length,
      profiles: this.profileStore.size,
      events: this.eventStore.size,
    };
  }

  reset(): void {
    this.profileStore.clear();
    this.eventStore.clear();
    this.provisionStore.clear();
    this.timers.stop();
    this.jobs.clear();
    this.eventJobs.clear();
    this.limiter?.clear();
    this.retryAfter.clear();
    this.faults.clear();
    this.faults.resetLog();
    this.log.length = 0;
    this.early.length = 0;
    this.onWire = 0;
    this.counts.clear();
    this.seq = 0;
  }

  idle(): Promise<void> {
    return this.timers.idle();
  }

  profilesWrittenSince(mark: number): number {
    return this.profileStore.writtenSince(mark);
  }

  close(): Promise<void> {
    this.timers.stop();
    return new Promise((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
  }
}

/** Starts a local stand-in for the Klaviyo endpoints shipsignal uses, validating requests against the 2026-07-15 spec. */
export async function startKlaviyoSandbox(options: KlaviyoSandboxOptions = {}): Promise<KlaviyoSandbox> {
  const operations = resolveOperations(loadKlaviyoSpec());
  const sandbox = new Sandbox(options.apiKey ?? DEFAULT_API_KEY, options.clock ?? systemClock, operations, options);
  await sandbox.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return sandbox;
}
