import type { CycleCase, RecommendationCase } from './products-replay';

const DAY = 86_400_000;
/** A due event counts as followed by a purchase when the product is bought within this many days of it. */
export const HIT_WINDOW_DAYS = 14;

export interface RecommendationScore { readonly cases: number; readonly covered: number; readonly modelHit: number; readonly baselineHit: number }

export function scoreRecommendations(cases: readonly RecommendationCase[]): RecommendationScore {
  const hit = (list: readonly string[], next: ReadonlySet<string>): boolean => list.some((id) => next.has(id));
  return {
    cases: cases.length,
    covered: cases.filter((c) => c.model.length > 0).length / Math.max(1, cases.length),
    modelHit: cases.filter((c) => hit(c.model, c.next)).length / Math.max(1, cases.length),
    baselineHit: cases.filter((c) => hit(c.bestSellers, c.next)).length / Math.max(1, cases.length),
  };
}

export interface TimingScore { readonly events: number; readonly followed: number; readonly maeDays: number; readonly maeCases: number }

export interface ReplenishmentScore { readonly cycles: number; readonly model: TimingScore; readonly baseline: TimingScore }

/**
 * A due event fires at the due date unless the product was bought again before it (a new cycle started): then it
 * is "followed" when the re-purchase comes within ±14 days of the due date. MAE: |re-purchase − due date| in days,
 * over cycles whose re-purchase is in the data (the same cycles for the model and the baseline).
 */
export function scoreReplenishment(cycles: readonly CycleCase[]): ReplenishmentScore {
  const timing = (dueOf: (c: CycleCase) => number): TimingScore => {
    const fired = cycles.filter((c) => c.repurchase === null || c.repurchase >= dueOf(c));
    const followed = fired.filter((c) => c.repurchase !== null && Math.abs(c.repurchase - dueOf(c)) <= HIT_WINDOW_DAYS * DAY);
    const observed = cycles.filter((c) => c.repurchase !== null);
    const mae = observed.reduce((sum, c) => sum + Math.abs((c.repurchase as number) - dueOf(c)) / DAY, 0) / Math.max(1, observed.length);
    return { events: fired.length, followed: followed.length / Math.max(1, fired.length), maeDays: mae, maeCases: observed.length };
  };
  return { cycles: cycles.length, model: timing((c) => c.modelDue), baseline: timing((c) => c.baselineDue) };
}
