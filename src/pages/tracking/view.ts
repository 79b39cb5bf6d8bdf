import type { Segment } from '../../model/customer';
import type { ShipmentStatus } from '../../model/shipment';
import { isPendingKey, type ShipmentState } from '../../state/shipments';
import type { BlockKind, TrackingPageConfig } from './config';

/**
 * The tracking page as data: pure functions from an order's parcels and its customer's segment to what the page
 * shows. Rendering (HTML, words, dates) is render.ts's; here are the rules: which parcel says what, which blocks the
 * merchant's rules choose, and the Reputation Guard (no promotion, review or recommendation while an issue is open).
 */
export type ParcelStatus = ShipmentStatus | 'awaiting_fulfillment';

export interface Recommendation {
  readonly productId: string;
  readonly title: string;
}

export interface ScanView {
  readonly at: string;
  readonly status: ShipmentStatus;
  readonly message: string | null;
  readonly place: string | null;
}

export interface ParcelView {
  readonly index: number;
  readonly count: number;
  readonly status: ParcelStatus;
  readonly carrier: string | null;
  readonly trackingCode: string | null;
  /** The carrier's own page (a link out, never loaded by ours). */
  readonly carrierUrl: string | null;
  /** Newest first. */
  readonly scans: readonly ScanView[];
  readonly prediction: { readonly mostLikelyAt: string; readonly latestLikelyAt: string; readonly thin: boolean } | null;
  readonly promisedAt: string | null;
  readonly deliveredAt: string | null;
  readonly issue: { readonly code: string } | null;
  readonly items: ReadonlyArray<{ readonly name: string; readonly quantity: number }>;
  /** The destination's time zone: every date on the parcel is shown in it. */
  readonly timeZone: string;
}

export interface BlockChoice {
  readonly id: string;
  readonly kind: BlockKind;
  readonly link: { readonly label: string; readonly url: string } | null;
}

export interface TrackingView {
  readonly orderId: string;
  readonly orderNumber: string;
  readonly email: string;
  /** Only the first name and the city: nothing else personal is on the page. */
  readonly firstName: string | null;
  readonly city: string | null;
  readonly segment: Segment | null;
  /** The least advanced parcel's status (a failure or return first): the order's status in one word. */
  readonly status: ParcelStatus;
  readonly issueOpen: boolean;
  readonly parcels: readonly ParcelView[];
  readonly blocks: readonly BlockChoice[];
  readonly recommendations: readonly Recommendation[];
  readonly currency: string;
}

export interface ViewInput {
  readonly parcels: readonly ShipmentState[];
  readonly segment: Segment | null;
  readonly now: Date;
  readonly recommendations: readonly Recommendation[];
  readonly zoneOf: (parcel: ShipmentState) => string;
}

const MAX_SCANS = 30;
const DAY_MS = 86_400_000;
/** Progress order for the order's headline status; trouble outranks progress. */
const RANK: Readonly<Record<ParcelStatus, number>> = {
  failure: 0, return_to_sender: 1, error: 2, awaiting_fulfillment: 3, unknown: 4, pre_transit: 5, in_transit: 6,
  out_for_delivery: 7, available_for_pickup: 8, delivered: 9, cancelled: 10,
};

export const parcelStatus = (parcel: ShipmentState): ParcelStatus => (isPendingKey(parcel.key) ? 'awaiting_fulfillment' : parcel.status);

function parcelView(parcel: ShipmentState, zone: string): ParcelView {
  const pending = isPendingKey(parcel.key);
  return {
    index: parcel.index,
    count: parcel.count,
    status: parcelStatus(parcel),
    carrier: pending ? null : parcel.carrier,
    trackingCode: pending ? null : parcel.trackingCode || null,
    carrierUrl: pending ? null : parcel.trackingUrl,
    scans: [...parcel.scans].reverse().slice(0, MAX_SCANS).map((scan) => ({
      at: scan.at,
      status: scan.status,
      message: scan.message,
      place: [scan.city, scan.region].filter((part): part is string => !!part).join(', ') || null,
    })),
    prediction: parcel.prediction && !parcel.deliveredAt
      ? { mostLikelyAt: parcel.prediction.mostLikelyAt, latestLikelyAt: parcel.prediction.latestLikelyAt, thin: parcel.prediction.confidence !== 'learned' }
      : null,
    promisedAt: parcel.promisedDeliveryAt,
    deliveredAt: parcel.deliveredAt,
    issue: parcel.risk?.openIssue ? { code: parcel.risk.openIssue.code } : null,
    items: parcel.items.map((item) => ({ name: item.name, quantity: item.quantity })),
    timeZone: zone,
  };
}

/** The categories an order's items fall in (config `categories:`: name substrings and SKU prefixes). */
export function orderCategories(parcels: readonly ShipmentState[], categories: TrackingPageConfig['categories']): Set<string> {
  const found = new Set<string>();
  for (const item of parcels.flatMap((parcel) => parcel.items)) {
    const name = item.name.toLowerCase();
    for (const [id, category] of Object.entries(categories)) {
      if (category.nameContains.some((part) => name.includes(part.toLowerCase())) || (item.sku && category.skuPrefixes.some((prefix) => (item.sku as string).startsWith(prefix)))) found.add(id);
    }
  }
  return found;
}

/** Whether one rule holds for the order; every condition it states must hold. */
function ruleHolds(
  when: TrackingPageConfig['rules'][number]['when'],
  facts: { segment: Segment | null; statuses: ReadonlySet<ParcelStatus>; issueOpen: boolean; categories: ReadonlySet<string>; deliveredDays: number | null },
): boolean {
  if (when.segments && (!facts.segment || !when.segments.includes(facts.segment))) return false;
  if (when.statuses && !when.statuses.some((status) => facts.statuses.has(status))) return false;
  if (when.issueOpen !== undefined && when.issueOpen !== facts.issueOpen) return false;
  if (when.categories && !when.categories.some((category) => facts.categories.has(category))) return false;
  if (when.deliveredDaysAtLeast !== undefined && (facts.deliveredDays === null || facts.deliveredDays < when.deliveredDaysAtLeast)) return false;
  return true;
}

/** Builds the page's view of one order. Pure: the same parcels, segment and time give the same view. */
export function buildTrackingView(input: ViewInput, config: Pick<TrackingPageConfig, 'rules' | 'blocks' | 'categories' | 'page'>): TrackingView {
  const parcels = [...input.parcels].sort((a, b) => a.index - b.index || a.key.localeCompare(b.key));
  const first = parcels[0];
  const views = parcels.map((parcel) => parcelView(parcel, input.zoneOf(parcel)));
  const issueOpen = views.some((view) => view.issue !== null);
  const status = views.reduce<ParcelStatus>((worst, view) => (RANK[view.status] < RANK[worst] ? view.status : worst), views[0]?.status ?? 'unknown');
  const delivered = parcels.every((parcel) => parcel.deliveredAt !== null);
  const lastDelivery = delivered ? Math.max(...parcels.map((parcel) => Date.parse(parcel.deliveredAt as string))) : null;
  const facts = {
    segment: input.segment,
    statuses: new Set(views.map((view) => view.status)),
    issueOpen,
    categories: orderCategories(parcels, config.categories),
    deliveredDays: lastDelivery === null ? null : (input.now.getTime() - lastDelivery) / DAY_MS,
  };
  const chosen = new Set<string>();
  const blocks: BlockChoice[] = [];
  for (const rule of config.rules) {
    const block = config.blocks.get(rule.block);
    if (!block || chosen.has(block.id) || !ruleHolds(rule.when, facts)) continue;
    // The Reputation Guard: no selling and no review prompt to a customer whose delivery is in trouble.
    if (issueOpen && block.kind !== 'info') continue;
    chosen.add(block.id);
    blocks.push({ id: block.id, kind: block.kind, link: block.link });
  }
  return {
    orderId: first?.orderId ?? '',
    orderNumber: first?.orderName ?? '',
    email: first?.customerEmail ?? '',
    firstName: first?.firstName ?? null,
    city: parcels.map((parcel) => parcel.destinationCity ?? null).find((city) => city) ?? null,
    segment: input.segment,
    status,
    issueOpen,
    parcels: views,
    blocks,
    recommendations: issueOpen ? [] : input.recommendations.slice(0, config.page.recommendations),
    currency: first?.currency ?? 'USD',
  };
}
