import type { DeliveryConfig } from '../enrichment/delivery/config';
import type { LifecycleConfig } from '../enrichment/lifecycle/config';
import type { TrustConfig } from '../enrichment/returns/config';
import type { ProductsConfig } from '../enrichment/products/config';
import type { MappingConfig } from '../mapping/mapping-config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { CustomerRepository } from '../state/customers';
import { Outbox } from '../state/outbox';
import { OutcomeStore } from '../state/outcomes';
import { RejectsLog } from '../state/rejects';
import { ProductStatsRepository } from '../state/products';
import { applyLesson } from '../enrichment/products/learn';
import { StoreStatsRepository } from '../state/repositories';
import { ReviewIndex } from '../state/review-index';
import { ShipmentRepository } from '../state/shipments';
import type { StateStore } from '../state/store';
import type { Clock } from '../util/clock';

export interface PipelineSettings {
  readonly lifecycle: LifecycleConfig;
  readonly mapping: MappingConfig;
  /** Changes older than this many hours are history (Klaviyo's backfill flag, or skipped). */
  readonly liveCutoffHours: number;
  readonly backfill: 'flag' | 'skip';
  readonly delivery: DeliveryConfig;
  readonly shipments: ShipmentSettings;
  /** The branded tracking page's signed link for an order number, when the page is on (see pages/tracking/token.ts). */
  readonly pageLink?: ((orderName: string) => string) | null;
  /** Fragile-trust rules (config/trust.yaml); the defaults when absent. */
  readonly trust?: TrustConfig;
  readonly products: ProductsConfig;
}

export interface ShipmentSettings {
  /** `review_request_ready_at` is this many days after delivery. */
  readonly reviewRequestDelayDays: number;
  /** An order still unfulfilled this many days after it was placed is no longer followed (its pending parcel retires). */
  readonly pendingHorizonDays: number;
  /** A parcel handed over this many days before the live window is history even when the store records no delivery. */
  readonly trackingHorizonDays: number;
  /** More than this percent of buying customers held from promotions is implausible: a warning in logs, doctor, /readyz. */
  readonly holdShareWarningPercent: number;
}

export type Writer = <T>(work: () => Promise<T>) => Promise<T>;

/** A single writer by construction (one-shot tools, tests): no lease needed. */
export const unguardedWriter: Writer = (work) => work();

/** Everything a pipeline step needs, built once by the daemon (or a test) and passed down. */
export interface PipelineContext {
  readonly store: StateStore;
  readonly outbox: Outbox;
  readonly rejects: RejectsLog;
  readonly customers: CustomerRepository;
  readonly reviews: ReviewIndex;
  readonly shipments: ShipmentRepository;
  /** Non-terminal shipments by the time their risk must be looked at again, with no new scan. */
  readonly shipmentChecks: ReviewIndex;
  readonly stats: StoreStatsRepository;
  /** Per-product and per-category statistics (co-purchases, re-purchase gaps, best sellers). */
  readonly productStats: ProductStatsRepository;
  /** Outcome counters (/status, `shipsignal report`), moved by the durability commit with each change. */
  readonly outcomes: OutcomeStore;
  /**
   * Runs one read-compute-commit under the state-writer lease, so two jobs (or two processes) never interleave
   * their writes. Never wraps a network read: sources are read before it is taken.
   */
  readonly writer: Writer;
  readonly settings: PipelineSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function createPipelineContext(
  store: StateStore,
  settings: PipelineSettings,
  clock: Clock,
  logger: Logger,
  metrics: Metrics,
  writer: Writer = unguardedWriter,
): PipelineContext {
  return {
    store,
    outbox: new Outbox(store),
    rejects: new RejectsLog(store),
    customers: new CustomerRepository(store),
    reviews: new ReviewIndex(store),
    shipments: new ShipmentRepository(store),
    shipmentChecks: new ReviewIndex(store, 'shipment-check'),
    stats: new StoreStatsRepository(store),
    productStats: new ProductStatsRepository(store, { learning: (book, lesson) => applyLesson(book, lesson, settings.products) }),
    outcomes: new OutcomeStore(store),
    writer,
    settings,
    clock,
    logger,
    metrics,
  };
}

export function liveSince(context: PipelineContext): Date {
  return new Date(context.clock.now().getTime() - context.settings.liveCutoffHours * 3_600_000);
}
