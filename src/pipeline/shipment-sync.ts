import type { CustomerAggregate } from '../model/customer';
import { DEFAULT_TRUST } from '../enrichment/returns/config';
import { summarizeReturns } from '../enrichment/returns/summary';
import { assessTrust, type TrustParcel } from '../enrichment/returns/trust';
import { categoryAffinity } from '../enrichment/products/affinity';
import type { CustomerTraits } from '../mapping/shipment-events';
import type { SinkRecord } from '../model/records';
import type { DeliveryConfig } from '../enrichment/delivery/config';
import { createTransitModel, TransitModelDraft } from '../enrichment/delivery/transit-model';
import { updateHoldCounts, type HoldChange } from '../enrichment/delivery/holds';
import { holdReason } from '../mapping/delivery-fields';
import { buildDeliveryPatch } from '../mapping/delivery-profile';
import { patchHash } from '../mapping/profile';
import {
  HOLD_COUNTS_KEY, TRANSIT_MODEL_KEY, deliveryProfileKey, isPendingKey, isRetired, orderParcelsKey, shipmentEntry, trackingCodeKey,
  type DeliveryProfileState, type OrderParcelsEntry, type OrderPart, type ShipmentState, type TrackingCodeEntry, type TrackingPart,
} from '../state/shipments';
import { liveSince, type PipelineContext } from './context';
import { advanceShipment, type AdvanceSettings } from './shipment-advance';

/** One parcel to look at: fresh order or carrier facts, or null to re-assess what is stored (time moved on). */
export interface ShipmentInput {
  readonly key: string;
  readonly order: OrderPart | null;
  readonly tracking: TrackingPart | null;
}

/** What a step must commit (see commit.ts): records, state entries and the parcels' next re-check times. */
export interface ShipmentPlan {
  readonly records: readonly SinkRecord[];
  readonly entries: ReadonlyArray<readonly [string, unknown]>;
  readonly checks: ReadonlyArray<{ readonly key: string; readonly at: Date }>;
  /** Customers to review when a fragile-trust window lapses with nothing else happening (review.ts re-derives them). */
  readonly reviews: ReadonlyArray<{ readonly key: string; readonly at: Date }>;
  readonly shipments: number;
}

/** Without scans in between, silence is not a stall: these rules only apply to parcels a carrier reports on. */
function withoutStallRules(config: DeliveryConfig): DeliveryConfig {
  return {
    ...config,
    rules: {
      ...config.rules,
      stalledInTransit: { ...config.rules.stalledInTransit, enabled: false },
      labelNotPickedUp: { ...config.rules.labelNotPickedUp, enabled: false },
    },
  };
}

/**
 * Advances every input, learns from completed deliveries, rebuilds the delivery properties of every customer
 * touched, and plans the next time-driven look. Nothing is written: the caller commits the plan (with its own
 * cursor, if any) in one commit unit, so a crash replays the step.
 * `known` may carry customers already at hand (an order page's, as just assessed); the others are read.
 */
export async function planShipments(
  context: PipelineContext,
  inputs: readonly ShipmentInput[],
  known: ReadonlyMap<string, CustomerAggregate> = new Map(),
  refresh: ProfileRefresh = NO_REFRESH,
): Promise<ShipmentPlan> {
  if (inputs.length === 0 && refresh.emails.length === 0) return { records: [], entries: [], checks: [], reviews: [], shipments: 0 };
  const now = context.clock.now();
  const { settings } = context;
  const stored = await context.shipments.shipments(inputs.map((i) => i.key));
  const modelBefore = (await context.shipments.transitModel()) ?? createTransitModel(settings.delivery);
  const draft = new TransitModelDraft(modelBefore);
  const base: AdvanceSettings = {
    mapping: settings.mapping, delivery: settings.delivery, liveSince: liveSince(context), backfill: settings.backfill,
    pendingHorizonDays: settings.shipments.pendingHorizonDays,
    pageLink: settings.pageLink ?? null,
  };
  const storeOnly: AdvanceSettings = { ...base, delivery: withoutStallRules(settings.delivery) };

  const emails = [...new Set(inputs.map((i) => i.order?.customerEmail ?? stored.get(i.key)?.customerEmail).filter((e): e is string => !!e))];
  const missing = emails.filter((email) => !known.has(email));
  const customers = await context.customers.getMany(missing);
  // Once per customer: a page's orders have a parcel or two each, and each ranks the customer's categories.
  const traits = new Map<string, CustomerTraits>();
  const traitsOf = (email: string): CustomerTraits => {
    let found = traits.get(email);
    if (found === undefined) {
      found = customerTraits(known.get(email) ?? customers.get(email));
      traits.set(email, found);
    }
    return found;
  };

  const records: SinkRecord[] = [];
  const working = new Map<string, ShipmentState>();
  const codes = new Map<string, { trackerId: string | null; keys: Set<string> }>();
  const newByOrder = new Map<string, { orderId: string; keys: Set<string> }>();
  for (const input of inputs) {
    const previous = working.get(input.key) ?? stored.get(input.key) ?? null;
    const order = input.order ?? previous;
    const tracking = input.tracking ?? previous;
    if (!order || !tracking) continue;
    const step = advanceShipment(
      { previous, order, tracking, model: draft.model, customer: traitsOf(order.customerEmail), now },
      tracking.kind === 'store' ? storeOnly : base,
    );
    if (step.delivered) draft.record(step.delivered);
    records.push(...step.events);
    working.set(input.key, step.state);
    if (!previous) {
      const byOrder = newByOrder.get(order.orderName) ?? { orderId: order.orderId, keys: new Set<string>() };
      byOrder.keys.add(input.key);
      newByOrder.set(order.orderName, byOrder);
    }
    if (!isPendingKey(input.key) && (!previous || previous.trackerId !== step.state.trackerId)) {
      const code = codes.get(order.trackingCode) ?? { trackerId: null, keys: new Set<string>() };
      code.keys.add(input.key);
      code.trackerId = step.state.trackerId ?? code.trackerId;
      codes.set(order.trackingCode, code);
    }
  }

  const { entries: profileEntries, reviews } = await planProfiles(context, [...working.values()], records, refresh);
  const codeEntries = await mergeCodes(context, codes);
  const orderEntries = await mergeOrderParcels(context, newByOrder);
  return {
    records,
    checks: [...working.values()].filter((s) => s.nextCheckAt !== null).map((s) => ({ key: s.key, at: new Date(s.nextCheckAt as string) })),
    entries: [
      ...[...working.values()].map(shipmentEntry),
      ...codeEntries,
      ...orderEntries,
      ...profileEntries,
      ...(draft.model !== modelBefore ? [[TRANSIT_MODEL_KEY, draft.model] as const] : []),
    ],
    reviews,
    shipments: working.size,
  };
}

/**
 * Customers whose delivery properties must be re-derived although none of their parcels changed (a return opened or
 * settled, a trust window lapsed), with the customers as just updated (the rest are read).
 */
export interface ProfileRefresh {
  readonly emails: readonly string[];
  readonly customers: ReadonlyMap<string, CustomerAggregate>;
}

const NO_REFRESH: ProfileRefresh = { emails: [], customers: new Map() };

/** A parcel as the trust rules see it: its order, status, last carrier word and open live issue. */
function trustParcel(shipment: ShipmentState): TrustParcel {
  const last = shipment.scans[shipment.scans.length - 1]?.at ?? shipment.deliveredAt;
  const issue = shipment.risk?.openIssue && shipment.issueLive ? shipment.risk.reasons[0]?.text ?? shipment.risk.openIssue.code : null;
  return { orderName: shipment.orderName, status: shipment.status, statusDetail: shipment.statusDetail, lastEventAt: last ?? null, openIssue: issue };
}

/**
 * The delivery properties of every customer whose parcels changed (or who is to be refreshed), queued only when
 * they differ from the last, and the store's held-customer counts moved by the holds that changed, in the same
 * entries (so the same write). Returns hold and time review requests here too, so one patch owns the hold.
 */
async function planProfiles(
  context: PipelineContext,
  changed: readonly ShipmentState[],
  records: SinkRecord[],
  refresh: ProfileRefresh,
): Promise<{ entries: Array<readonly [string, unknown]>; reviews: Array<{ key: string; at: Date }> }> {
  const byEmail = new Map<string, Map<string, ShipmentState>>();
  for (const shipment of changed) {
    const own = byEmail.get(shipment.customerEmail) ?? new Map<string, ShipmentState>();
    own.set(shipment.key, shipment);
    byEmail.set(shipment.customerEmail, own);
  }
  for (const email of refresh.emails) if (!byEmail.has(email)) byEmail.set(email, new Map());
  const unread = [...byEmail.keys()].filter((email) => !refresh.customers.has(email));
  const read = await context.customers.getMany(unread);
  const customerOf = (email: string): CustomerAggregate | undefined => refresh.customers.get(email) ?? read.get(email);
  const trustConfig = context.settings.trust ?? DEFAULT_TRUST;
  const now = context.clock.now();
  const profiles = await context.shipments.profiles([...byEmail.keys()]);
  const otherKeys = [...byEmail].flatMap(([email, own]) => (profiles.get(email)?.shipmentKeys ?? []).filter((key) => !own.has(key)));
  const others = await context.shipments.shipments(otherKeys);
  const entries: Array<readonly [string, unknown]> = [];
  const reviews: Array<{ key: string; at: Date }> = [];
  const holds: HoldChange[] = [];
  for (const [email, own] of byEmail) {
    const before = profiles.get(email) ?? null;
    const known = [...new Set([...(before?.shipmentKeys ?? []), ...own.keys()])];
    const all = known.map((key) => own.get(key) ?? others.get(key)).filter((s): s is ShipmentState => s !== undefined);
    // A customer refreshed with no parcel ever (digital goods) has no delivery patch to send or store.
    if (!before && all.length === 0) continue;
    // A retired pending parcel leaves the customer's list; it still speaks once when nothing else is left, to clear its hold.
    const shipments = all.filter((s) => !isRetired(s));
    const retired = new Set(all.filter(isRetired).map((s) => s.key));
    const keys = known.filter((key) => !retired.has(key));
    const customer = customerOf(email);
    const returns = customer ? summarizeReturns(customer) : undefined;
    const trust = assessTrust({ parcels: shipments.map(trustParcel), returns: customer?.returns ?? [] }, trustConfig, now);
    const described = {
      shipments: shipments.length > 0 ? shipments : all,
      reviewRequestDelayDays: context.settings.shipments.reviewRequestDelayDays,
      pageLink: context.settings.pageLink ?? null,
      ...(returns ? { returns } : {}),
      trust,
    };
    const patch = buildDeliveryPatch(described, context.settings.mapping);
    const hash = patch ? patchHash(patch) : null;
    const hold = holdReason(described);
    const heldBefore = before?.hold ?? null;
    if (patch && hash !== before?.pushedHash) records.push(patch);
    if (hash !== before?.pushedHash || keys.length !== before?.shipmentKeys.length || hold !== heldBefore) {
      const profile: DeliveryProfileState = { shipmentKeys: keys, pushedHash: hash, hold };
      entries.push([deliveryProfileKey(email), profile]);
      holds.push({ before: heldBefore, after: hold });
      if (trust.changesAt) reviews.push({ key: email, at: trust.changesAt });
    }
  }
  const countsBefore = await context.shipments.holdCounts();
  const counts = updateHoldCounts(countsBefore, holds);
  if (counts !== countsBefore) entries.push([HOLD_COUNTS_KEY, counts]);
  return { entries, reviews };
}

/** The order-number index of parcels seen for the first time (the tracking page finds an order's parcels by it). */
async function mergeOrderParcels(
  context: PipelineContext,
  orders: ReadonlyMap<string, { orderId: string; keys: ReadonlySet<string> }>,
): Promise<Array<readonly [string, OrderParcelsEntry]>> {
  if (orders.size === 0) return [];
  const stored = await context.shipments.orderParcels([...orders.keys()]);
  return [...orders].map(([name, seen]) => [orderParcelsKey(name), {
    orderId: seen.orderId,
    shipmentKeys: [...new Set([...(stored.get(name)?.shipmentKeys ?? []), ...seen.keys])],
  }] as const);
}

async function mergeCodes(
  context: PipelineContext,
  codes: ReadonlyMap<string, { trackerId: string | null; keys: ReadonlySet<string> }>,
): Promise<Array<readonly [string, TrackingCodeEntry]>> {
  const stored = await context.shipments.trackingCodes([...codes.keys()]);
  return [...codes].map(([code, seen]) => {
    const before = stored.get(code);
    return [trackingCodeKey(code), {
      trackerId: seen.trackerId ?? before?.trackerId ?? null,
      shipmentKeys: [...new Set([...(before?.shipmentKeys ?? []), ...seen.keys])],
    }] as const;
  });
}

/** What shipment events carry about their customer: the segment and the top category by net spend. */
export function customerTraits(customer: CustomerAggregate | undefined): CustomerTraits {
  if (!customer) return { segment: null, topCategory: null };
  return { segment: customer.segment, topCategory: categoryAffinity(customer.orders, 1)[0]?.category ?? null };
}
