export { applyOrder } from './aggregate';
export { fitChurnModel, needsRefit, refitChurnModel, type ChurnModelParams, type FitContext } from './churn-model';
export { DEFAULT_LIFECYCLE_CONFIG, lifecycleConfigSchema, type LifecycleConfig } from './config';
export { evaluateLifecycle } from './evaluate';
export { createStoreStats, updateStoreStats, type StoreStats } from './store-stats';
export type { LifecycleAssessment, RfmScores } from './types';
