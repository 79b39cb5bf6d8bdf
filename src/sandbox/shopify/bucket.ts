import type { Clock } from '../../util/clock';

export interface ThrottleStatus {
  readonly maximumAvailable: number;
  readonly currentlyAvailable: number;
  readonly restoreRate: number;
}

/**
 * Shopify's cost bucket: a query must find its requested cost in the bucket, pays it up front, and gets the
 * difference to its actual cost back; the bucket refills continuously at restoreRate points per second.
 */
export class CostBucket {
  private available: number;
  private at: number;

  constructor(readonly maximumAvailable: number, readonly restoreRate: number, private readonly clock: Clock) {
    this.available = maximumAvailable;
    this.at = clock.now().getTime();
  }

  status(): ThrottleStatus {
    this.refill();
    return { maximumAvailable: this.maximumAvailable, currentlyAvailable: Math.floor(this.available), restoreRate: this.restoreRate };
  }

  /** Takes `cost` if the bucket holds it; false (and nothing taken) otherwise. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number): void {
    this.available = Math.min(this.maximumAvailable, this.available + Math.max(0, points));
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    // A clock moved backwards (tests) must not drain the bucket.
    const elapsed = Math.max(0, now - this.at);
    this.available = Math.min(this.maximumAvailable, this.available + (elapsed / 1000) * this.restoreRate);
    this.at = now;
  }
}
