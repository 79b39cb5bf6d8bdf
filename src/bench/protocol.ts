import type { SandboxEvent, SandboxProfile, SandboxStats } from '../sandbox/klaviyo';

/**
 * Messages between the benchmark and its sandbox host (a child process, so the sandboxes' CPU and memory are not
 * counted as shipsignal's). Every request carries an id; the host answers it once, with a result or an error.
 */
export interface StoreSpec {
  readonly orders: number;
  readonly seed: number;
  readonly repeatRate: number;
  /** ISO instant the store's clock stands at: just after the last order. */
  readonly now: string;
}

export interface ChangeSummary {
  readonly updated: number;
  readonly refunded: number;
  readonly added: number;
}

export interface KlaviyoSample {
  readonly events: readonly SandboxEvent[];
  readonly profiles: readonly SandboxProfile[];
}

export interface HostCalls {
  start: { params: StoreSpec; result: { env: Record<string, string> } };
  /** Changes `share` of the orders at `at` (store time): updates, partial refunds and new orders. */
  change: { params: { share: number; at: string; seed: number }; result: ChangeSummary };
  stats: { params: Record<string, never>; result: SandboxStats };
  /** Distinct profiles written through Klaviyo's profile endpoints since `stats().profileWrites` was `mark`. */
  profilesWrittenSince: { params: { mark: number }; result: number };
  /** Shopify Admin API calls so far, and how many were answered THROTTLED (cost bucket empty). */
  shopify: { params: Record<string, never>; result: { requests: number; throttled: number } };
  /** Up to `limit` events and profiles Klaviyo holds, for the naive baseline to send again one by one. */
  sample: { params: { limit: number }; result: KlaviyoSample };
  /** The host's own CPU seconds so far and peak RSS, MB: the sandboxes' share, not shipsignal's. */
  usage: { params: Record<string, never>; result: { cpuSeconds: number; peakRssMb: number } };
  /** Forgets Klaviyo's data, counters and rate windows. */
  resetKlaviyo: { params: Record<string, never>; result: null };
  close: { params: Record<string, never>; result: null };
}

export type HostMethod = keyof HostCalls;

export interface HostRequest<M extends HostMethod = HostMethod> {
  readonly id: number;
  readonly method: M;
  readonly params: HostCalls[M]['params'];
}

export type HostReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };
