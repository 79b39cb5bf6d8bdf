import type { OperationId } from './operations';
import { mulberry32 } from '../../util/prng';

/** What can go wrong on the way to Klaviyo. None of them lets the request take effect, except `delay`. */
export type Fault =
  | { readonly kind: 'status'; readonly status: 500 | 502 | 503 | 504 }
  /** A 429 storm: Klaviyo's throttled body and `Retry-After`. */
  | { readonly kind: 'throttle'; readonly retryAfterSeconds: number }
  /** The request is handled normally, only late: clients with short timeouts give up on work that succeeded. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** The socket is destroyed without a response. */
  | { readonly kind: 'reset' }
  /** Status 200 and a Content-Length, then half the body and a closed socket. */
  | { readonly kind: 'truncated' }
  /** A body that claims to be JSON:API and is not, as gateways send on errors. */
  | { readonly kind: 'invalid-json'; readonly status: number };

export interface FaultScope {
  /** Only requests to this operation; all operations when omitted. */
  readonly operation?: OperationId;
}

export interface InjectedFault {
  readonly seq: number;
  readonly operation: OperationId | null;
  readonly fault: Fault | { readonly kind: 'outage' };
}

interface Scheduled extends FaultScope {
  readonly fault: Fault;
  remaining: number;
}

interface Rated extends FaultScope {
  readonly fault: Fault;
  readonly rate: number;
}

/**
 * Fault injection for reliability tests. Scheduled faults hit the next N matching requests; rated faults hit each
 * matching request with a probability drawn from a seeded PRNG, so a failing run replays with the same seed.
 */
export class FaultInjector {
  private scheduled: Scheduled[] = [];
  private rated: Rated[] = [];
  private down = false;
  private random: () => number;
  private readonly log: InjectedFault[] = [];

  constructor(private readonly seed: number) {
    this.random = mulberry32(seed);
  }

  /** Fail the next `times` matching requests with `fault`. Schedules are consumed in the order given. */
  schedule(fault: Fault, times = 1, scope: FaultScope = {}): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a positive integer, got ${times}`);
    this.scheduled.push({ ...scope, fault, remaining: times });
  }

  /** Fail each matching request with probability `rate` (0..1); a rate of 0 removes the rule. */
  setRate(fault: Fault, rate: number, scope: FaultScope = {}): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate must be within [0, 1], got ${rate}`);
    this.rated = this.rated.filter((r) => !(r.fault.kind === fault.kind && r.operation === scope.operation));
    if (rate > 0) this.rated.push({ ...scope, fault, rate });
  }

  /** While on, every request gets 503 (Klaviyo's "check status.klaviyo.com"). */
  outage(on: boolean): void {
    this.down = on;
  }

  get outageActive(): boolean {
    return this.down;
  }

  /** Removes every schedule, rate and outage and restarts the PRNG from the seed. */
  clear(): void {
    this.scheduled = [];
    this.rated = [];
    this.down = false;
    this.random = mulberry32(this.seed);
  }

  injected(): InjectedFault[] {
    return [...this.log];
  }

  resetLog(): void {
    this.log.length = 0;
  }

  /** The fault for this request, if any; the caller must then skip the request's effects. */
  decide(seq: number, operation: OperationId | null): Fault | { readonly kind: 'outage' } | null {
    const matches = (scope: FaultScope): boolean => scope.operation === undefined || scope.operation === operation;
    let fault: Fault | { readonly kind: 'outage' } | null = null;
    if (this.down) fault = { kind: 'outage' };
    const scheduled = fault ? undefined : this.scheduled.find((s) => s.remaining > 0 && matches(s));
    if (scheduled) {
      scheduled.remaining -= 1;
      this.scheduled = this.scheduled.filter((s) => s.remaining > 0);
      fault = scheduled.fault;
    }
    // One draw per matching rule on every request, hit or not, so the sequence depends only on the traffic.
    for (const rule of this.rated) {
      if (!matches(rule)) continue;
      const hit = this.random() < rule.rate;
      if (hit && !fault) fault = rule.fault;
    }
    if (fault) this.log.push({ seq, operation, fault });
    return fault;
  }
}
