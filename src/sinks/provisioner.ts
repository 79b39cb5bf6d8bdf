/**
 * The port `shipsignal setup` provisions through: a declared starter set (segments and draft flows on our own
 * property and metric names, already resolved from mappings/klaviyo.yaml) in, one line per object out. It names
 * no provider; the Klaviyo adapter in sinks/klaviyo/provision/ turns it into API bodies.
 */

/** A test on one profile property (full name, prefix included) or event field. */
export type Condition =
  | { readonly field: string; readonly equals: string | boolean }
  | { readonly field: string; readonly in: readonly string[] }
  | { readonly field: string; readonly set: boolean };

/** All of `conditions` must hold (each is its own AND-ed group). */
export interface SegmentSpec {
  readonly name: string;
  readonly conditions: readonly Condition[];
}

export interface EmailStep {
  readonly id: string;
  readonly kind: 'email';
  readonly subject: string;
  readonly preview: string;
  /** Template name in the destination and its HTML. */
  readonly template: { readonly name: string; readonly html: string };
  readonly next: string | null;
}
export interface DelayStep {
  readonly id: string;
  readonly kind: 'delay';
  readonly value: number;
  readonly unit: 'days' | 'hours' | 'minutes';
  readonly next: string | null;
}
export interface SplitStep {
  readonly id: string;
  readonly kind: 'split';
  /** Profile conditions; all must hold for `then`. */
  readonly conditions: readonly Condition[];
  readonly then: string | null;
  readonly else: string | null;
}
export type FlowStep = EmailStep | DelayStep | SplitStep;

export interface FlowSpec {
  readonly name: string;
  /** Where the flow was declared, for reports. */
  readonly file: string;
  /** The metric name as we send it (renamed metrics keep working). */
  readonly triggerMetric: string;
  readonly triggerFilters: readonly Condition[];
  /** Profile conditions every recipient must meet (e.g. promotions not on hold). */
  readonly audience: readonly Condition[];
  readonly reentryDays: number | null;
  /** The first step is the entry. */
  readonly steps: readonly FlowStep[];
}

export interface StarterSet {
  readonly segments: readonly SegmentSpec[];
  readonly flows: readonly FlowSpec[];
  /**
   * Profile properties the set's conditions use that this shipsignal's mapping does not write yet, with what fills
   * them: the destination accepts the conditions (they match nobody until profiles carry the property).
   */
  readonly unwritten?: ReadonlyArray<{ readonly property: string; readonly filledBy: string }>;
}

/**
 * What the destination holds for one object, in terms that survive a round trip: its status (a flow's draft /
 * manual / live / archived; a segment's active / inactive) and an opaque fingerprint of its definition (conditions,
 * trigger, actions). Taken right after creating it and again by `doctor`: a difference means someone edited it.
 */
export interface ObjectSnapshot {
  readonly status: string | null;
  readonly definition: string;
}

export type ProvisionOutcome =
  /** Created now (or, in a dry run, would be; then without id or snapshot). */
  | { readonly status: 'created'; readonly id: string | null; readonly snapshot: ObjectSnapshot | null }
  /** One with this name exists: left alone, the merchant may have edited it. Its snapshot only when inspected. */
  | { readonly status: 'exists'; readonly id: string; readonly snapshot: ObjectSnapshot | null }
  /**
   * Not possible yet, a later run creates it: `metric` when the trigger metric has no event yet, `limit` when the
   * destination's daily cap is spent or it throttles past a short wait.
   */
  | { readonly status: 'waiting'; readonly cause: 'metric' | 'limit'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: string };

export interface ProvisionLine {
  readonly kind: 'segment' | 'flow';
  readonly name: string;
  readonly outcome: ProvisionOutcome;
}

/** One request a dry run would have sent. */
export interface PlannedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface ProvisionOptions {
  readonly dryRun: boolean;
  /** Creates still allowed today per kind (the destination's daily caps, counted in state across runs). */
  readonly budget: Readonly<Record<'segment' | 'flow', number>>;
  /** Read what exists closely enough to snapshot it (doctor's changed-object report; one more read per flow). */
  readonly inspect?: boolean;
}

export interface ProvisionResult {
  readonly lines: readonly ProvisionLine[];
  /** Dry run: every body it would have sent. */
  readonly planned: readonly PlannedRequest[];
}

export interface Provisioner {
  provision(set: StarterSet, options: ProvisionOptions): Promise<ProvisionResult>;
}
