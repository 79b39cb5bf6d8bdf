/**
 * The fitted churn model's stored shape, on its own so the store statistics (which hold one) and the model code
 * (which reads the statistics) do not import each other.
 */
/** Fitted churn model, serializable into the store stats. */
export interface ChurnModelParams {
  readonly version: 1;
  readonly horizonDays: number;
  readonly featureNames: readonly string[];
  readonly means: readonly number[];
  readonly scales: readonly number[];
  readonly weights: readonly number[];
  readonly intercept: number;
  readonly fittedAt: string;
  readonly examples: number;
  /** Share of training examples that churned. */
  readonly baseRate: number;
}
