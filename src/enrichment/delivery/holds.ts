/**
 * Delivery holds at store level, pure: when a pending parcel stops being followed, how many customers each rule
 * holds (kept incrementally, a few bytes in state), and when that many is implausible.
 */

const DAY_MS = 86_400_000;

/**
 * The instant an order still not fulfilled `horizonDays` calendar days after it was placed stops being followed as
 * a pending parcel (config `shipments.pendingHorizonDays`): by then it has shipped without Shopify hearing of it
 * (a 3PL that never writes back, local pickup) or the merchant is already dealing with the customer directly.
 */
export const pendingHorizonEnd = (placedAt: Date, horizonDays: number): Date => new Date(placedAt.getTime() + horizonDays * DAY_MS);

/** Aged out from the horizon's instant on, inclusive. */
export const isPendingAgedOut = (placedAt: Date, now: Date, horizonDays: number): boolean =>
  now.getTime() >= pendingHorizonEnd(placedAt, horizonDays).getTime();

/** Customers held from promotions, by the rule that holds them (the hold reason: one per customer). */
export interface HoldCounts {
  readonly byRule: Readonly<Record<string, number>>;
}

export const emptyHoldCounts = (): HoldCounts => ({ byRule: {} });

/** One customer's hold as last counted (`before`) and as it is now (`after`); null when not held. */
export interface HoldChange {
  readonly before: string | null;
  readonly after: string | null;
}

/**
 * The counts after some customers' holds changed. Each change moves one customer from `before`'s rule to `after`'s,
 * so replaying a change already saved (before = after) changes nothing. A rule never goes below zero (a customer
 * held before the counts existed leaves uncounted) and a rule at zero disappears. Returns `counts` itself when
 * nothing moved, so the caller writes the value only when it changed.
 */
export function updateHoldCounts(counts: HoldCounts, changes: Iterable<HoldChange>): HoldCounts {
  const next: Record<string, number> = { ...counts.byRule };
  let moved = false;
  for (const { before, after } of changes) {
    if (before === after) continue;
    if (before !== null && (next[before] ?? 0) > 0) {
      next[before] -= 1;
      if (next[before] === 0) delete next[before];
      moved = true;
    }
    if (after !== null) {
      next[after] = (next[after] ?? 0) + 1;
      moved = true;
    }
  }
  return moved ? { byRule: next } : counts;
}

export const heldCustomers = (counts: HoldCounts): number => Object.values(counts.byRule).reduce((sum, n) => sum + n, 0);

/**
 * Below this many buying customers a share says little (two held of five is 40%), so no warning: the same floor
 * as the VIP top-percent rule's.
 */
export const HOLD_SHARE_MIN_CUSTOMERS = 50;

export interface HoldShareWarning {
  readonly held: number;
  readonly customers: number;
  /** Held share, percent, one decimal. */
  readonly percent: number;
  readonly thresholdPercent: number;
  /** Rules holding customers, most first. */
  readonly rules: ReadonlyArray<{ readonly rule: string; readonly customers: number }>;
  /** One line for a log, `doctor` and `/readyz`, naming the rule. */
  readonly message: string;
}

/** Why a rule might hold most of a store, and what to look at. */
const LIKELY_CAUSE: Readonly<Record<string, string>> = {
  stalled_fulfillment: 'are fulfillments recorded in Shopify (a 3PL or app that never writes them back, local pickup)?',
  label_not_picked_up: 'do labels get printed long before hand-off, or is the carrier scan missing?',
  stalled_in_transit: 'does the carrier report scans to EasyPost for these parcels?',
};

/**
 * A warning when more than `thresholdPercent` of the store's buying customers are held from promotions (strictly
 * more; none below `HOLD_SHARE_MIN_CUSTOMERS` customers). Real delivery trouble touches a few percent of
 * customers at a time; far more means a rule is fed wrong data and is suppressing marketing for the store.
 */
export function holdShareWarning(counts: HoldCounts, customers: number, thresholdPercent: number): HoldShareWarning | null {
  const held = heldCustomers(counts);
  if (customers < HOLD_SHARE_MIN_CUSTOMERS || held * 100 <= thresholdPercent * customers) return null;
  const rules = Object.entries(counts.byRule)
    .map(([rule, n]) => ({ rule, customers: n }))
    .sort((a, b) => b.customers - a.customers || a.rule.localeCompare(b.rule));
  const percent = Math.round((held / customers) * 1000) / 10;
  const top = rules[0];
  const cause = top ? LIKELY_CAUSE[top.rule] : undefined;
  const message = `${held} of ${customers} customers (${percent}%) are held from promotions, more than the plausible ${thresholdPercent}%: ` +
    `${rules.map((r) => `${r.rule} ${r.customers}`).join(', ')}` + (cause ? `; ${top.rule}: ${cause}` : '');
  return { held, customers, percent, thresholdPercent, rules, message };
}
