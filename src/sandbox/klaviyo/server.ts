import http from 'http';
import type { AddressInfo } from 'net';
import { type Clock, systemClock } from '../../util/clock';
import { sleep } from '../../util/retry';
import { type ApiError, serverError, throttled } from './errors';
import { EventStore } from './event-store';
import { type Fault, FaultInjector } from './faults';
import type { Stores } from './handlers';
import { ImportJobs } from './import-jobs';
import { LIMITS } from './limits';
import { type OperationId, type RateLimit, matchRoute, resolveOperations } from './operations';
import { type Outcome, processCall } from './pipeline';
import { ProfileStore } from './profile-store';
import { FixedWindowRateLimiter, RetryAfterTracker, requestFingerprint } from './rate-limiter';
import { loadKlaviyoSpec } from './spec';
import type { EarlyRetry, FaultKind, RequestRecord, SandboxEvent, SandboxProfile, SandboxStats } from './types';
import { compileBodyValidators } from './validator';

export interface KlaviyoSandboxOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** The one private key the sandbox accepts. */
  readonly apiKey?: string;
  /** 'documented' (default) enforces each endpoint's x-klaviyo-ratelimit from the spec. */
  readonly rateLimits?: 'documented' | 'off';
  /** Time a bulk profile import spends in each of queued and processing. Default 50 ms. */
  readonly jobProcessingDelayMs?: number;
  /** Seeds the fault injector's PRNG. */
  readonly seed?: number;
  /** Drives timestamps, event-time checks and rate windows. */
  readonly clock?: Clock;
}

export interface KlaviyoSandbox {
  /** e.g. http://127.0.0.1:PORT; set it as the SDK's `basePath`. */
  readonly url: string;
  readonly apiKey: string;
  readonly faults: FaultInjector;
  /** The first `limit` profiles (all by default). */
  profiles(limit?: number): SandboxProfile[];
  /** The first `limit` events (all by default). */
  events(limit?: number): SandboxEvent[];
  requests(): RequestRecord[];
  validationFailures(): RequestRecord[];
  earlyRetries(): EarlyRetry[];
  stats(): SandboxStats;
  /** Forgets all data, counters, rate windows and faults; the URL and key stay. */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_API_KEY = 'pk_sandbox_0000000000000000000000000000';

interface ReadBody {
  readonly body: Buffer;
  readonly tooLarge: boolean;
}

/** Reads at most `limit` bytes and drains the rest, so an oversized upload still gets its 413. */
function readBody(req: http.IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    const done = () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge });
    req.on('end', done);
    req.on('error', done);
  });
}

function headerMap(req: http.IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

const JSON_API = 'application/vnd.api+json';

class Sandbox implements KlaviyoSandbox {
  readonly faults: FaultInjector;
  private readonly server: http.Server;
  private readonly profileStore = new ProfileStore();
  private readonly eventStore = new EventStore();
  private readonly jobs: ImportJobs;
  private readonly limiter: FixedWindowRateLimiter | null;
  private readonly retryAfter = new RetryAfterTracker();
  private readonly validators: ReturnType<typeof compileBodyValidators>;
  private readonly log: RequestRecord[] = [];
  private readonly early: EarlyRetry[] = [];
  private readonly counts = new Map<string, Map<number, number>>();
  private seq = 0;
  private baseUrl = '';

  constructor(
    readonly apiKey: string,
    private readonly clock: Clock,
    private readonly operations: ReturnType<typeof resolveOperations>,
    options: KlaviyoSandboxOptions,
  ) {
    this.validators = compileBodyValidators(loadKlaviyoSpec(), operations);
    this.faults = new FaultInjector(options.seed ?? 1);
    this.jobs = new ImportJobs(this.profileStore, clock, options.jobProcessingDelayMs ?? 50);
    this.limiter = options.rateLimits === 'off'
      ? null
      : new FixedWindowRateLimiter(new Map<OperationId, RateLimit>(operations.map((op) => [op.id, op.rateLimit])));
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        const error = serverError(500);
        this.respond(res, { status: 500, headers: {}, body: { errors: [error] }, errors: [error], validationFailed: false });
        process.emitWarning(`klaviyo sandbox: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      });
    });
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
      profiles: this.profileStore, events: this.eventStore, jobs: this.jobs, clock: this.clock, base: this.baseUrl,
      accountId: 'SBXACCT',
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const seq = ++this.seq;
    const { body, tooLarge } = await readBody(req, LIMITS.bodyBytes);
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const headers = headerMap(req);
    const route = matchRoute(this.operations, method, url.pathname);
    const operation = route.kind === 'found' ? route.operation.id : null;
    const arrived = this.clock.now().getTime();

    const fingerprint = requestFingerprint(headers.authorization ?? '', method, req.url ?? '/', body);
    const earlyBy = this.retryAfter.earlyBy(fingerprint, arrived);
    if (operation && earlyBy > 0) this.early.push({ operation, at: new Date(arrived).toISOString(), earlyByMs: earlyBy });

    const fault = this.faults.decide(seq, operation);
    if (fault && fault.kind === 'delay') await sleep(fault.ms);
    else if (fault) {
      const status = this.injectFault(fault, res, fingerprint, arrived);
      this.record(seq, method, url.pathname, operation, status, [], fault.kind);
      return;
    }

    const outcome = processCall(this.deps(), route, {
      method, query: url.searchParams, headers, body, bodyTooLarge: tooLarge, fingerprint,
    }, this.clock.now().getTime());
    this.respond(res, outcome);
    this.record(seq, method, url.pathname, operation, outcome.status, outcome.errors, fault ? 'delay' : null,
      outcome.validationFailed);
  }

  private deps() {
    return { apiKey: this.apiKey, validators: this.validators, limiter: this.limiter, retryAfter: this.retryAfter, stores: this.stores };
  }

  /** Answers (or fails to answer) a faulted request; returns the status the client saw, 0 for none. */
  private injectFault(
    fault: Exclude<Fault, { kind: 'delay' }> | { readonly kind: 'outage' }, res: http.ServerResponse,
    fingerprint: string, nowMs: number,
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
        this.retryAfter.advise(fingerprint, nowMs, fault.retryAfterSeconds);
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

  requests(): RequestRecord[] {
    return [...this.log];
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
    this.jobs.clear();
    this.limiter?.clear();
    this.retryAfter.clear();
    this.faults.clear();
    this.faults.resetLog();
    this.log.length = 0;
    this.early.length = 0;
    this.counts.clear();
    this.seq = 0;
  }

  close(): Promise<void> {
    this.jobs.stop();
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
