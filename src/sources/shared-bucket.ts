/**
 * The port for a source's cost bucket shared by every process reading one shop (a fleet's workers, through Redis).
 * In one process the source's client models the bucket from each answer; several processes on one shop would each
 * believe they own the whole bucket and together overspend it, so on a fleet they take their points from one shared
 * model first. The model is conservative: points are taken before a query is sent, and an answer's reported level
 * can only lower it (the answer does not know of queries other processes have in flight).
 */

/** A cost bucket's size, level and refill rate (points per second), as the provider reported them. */
export interface BucketStatus {
  readonly maximumAvailable: number;
  readonly currentlyAvailable: number;
  readonly restoreRate: number;
}

export interface SharedCostBucket {
  /** Takes `cost` points if the shared bucket holds them now and answers 0; otherwise takes nothing and answers the ms until it will. */
  take(cost: number): Promise<number>;
  /**
   * A query that took `taken` points was answered: `charged` is what the provider kept (null: nothing, e.g. a
   * throttled query), `reported` the bucket as the provider saw it after the query.
   */
  settle(taken: number, charged: number | null, reported: BucketStatus): Promise<void>;
}

/** Opens the shared bucket of one shop (an opaque id derived from the shop and its credentials, never a token). */
export type SharedCostBucketsFor = (shop: string) => SharedCostBucket;
