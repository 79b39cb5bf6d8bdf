import type { App, SyncReport } from '../daemon/app';
import type { LocalStack } from '../sandbox/local-stack';
import type { SandboxProfile } from '../sandbox/klaviyo/types';
import type { FulfillmentRecord } from '../sandbox/shopify/record';
import type { SandboxStore } from '../sandbox/shopify/store';
import type { ManualClock } from '../util/clock';
import { castWeek, datesCrossingAtRisk, type CastMember } from './demo-cast';
import { coffeeShopOrders, COFFEE_SHOP } from '../sandbox/shopify/seeds/replenishment';
import { DEMO_WEEK, SYNC_HOURS, WEEK_DAYS, type DemoParcelPlan, type Role, type ScenarioEntry, type WeekActions } from './demo-scenario';
import type { Progress } from './progress';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface WeekDay {
  readonly day: number;
  readonly done: readonly string[];
  /** The day's syncs, in order (one per `SYNC_HOURS`). */
  readonly syncs: readonly SyncReport[];
  /** The cast's Klaviyo profiles right after each sync (what a flow's audience check would have seen then). */
  readonly snapshots: ReadonlyArray<{ readonly at: string; readonly profiles: ReadonlyMap<string, SandboxProfile> }>;
}

/** A parcel the week scripted: its order, tracking code and carrier scans (what the EasyPost sandbox replays). */
export interface ScriptedParcel {
  readonly orderId: number;
  readonly trackingCode: string;
  readonly promisedAt: Date | null;
  readonly scans: ReadonlyArray<{ readonly at: Date; readonly status: string }>;
}

export interface WeekResult {
  readonly start: Date;
  readonly parcels: readonly ScriptedParcel[];
  readonly cast: ReadonlyMap<Role, CastMember>;
  readonly days: readonly WeekDay[];
}

interface WeekWorld {
  readonly app: App;
  readonly stack: LocalStack;
  readonly store: SandboxStore;
  readonly clock: ManualClock;
  /** The daemon's HTTP face (the tracking page routes), e.g. `http://127.0.0.1:40123`; null when the page is off. */
  readonly pageBase: string | null;
}

/**
 * Plays the simulated week after the backfill: each scenario entry acts on the sandbox store and carrier at its
 * hour, and at each of `SYNC_HOURS` the daemon's one-shot sync (orders, trackers, time-driven reviews, drain)
 * runs, exactly as the scheduled daemon would. Nothing here talks to shipsignal's state: it only changes
 * the world shipsignal reads.
 */
export async function runDemoWeek(world: WeekWorld, progress: Progress, entries: readonly ScenarioEntry[] = DEMO_WEEK): Promise<WeekResult> {
  const start = world.clock.now();
  progress.phase('casting the week (real customers that fit each role, synthesized ones otherwise)');
  const cast = await castWeek(world.app, world.store, start);
  const parcels: ScriptedParcel[] = [];
  const actions = weekActions(world, cast, start, parcels);
  const ordered = [...entries].sort((a, b) => a.atHours - b.atHours);
  const days: WeekDay[] = [];
  let next = 0;
  for (let day = 1; day <= WEEK_DAYS; day++) {
    const done: string[] = [];
    const syncs: SyncReport[] = [];
    const snapshots: Array<{ at: string; profiles: ReadonlyMap<string, SandboxProfile> }> = [];
    const emails = new Set([...cast.values()].map((m) => m.email));
    for (const hour of SYNC_HOURS) {
      const syncAt = (day - 1) * 24 + hour;
      while (next < ordered.length && (ordered[next] as ScenarioEntry).atHours <= syncAt) {
        const entry = ordered[next] as ScenarioEntry;
        world.clock.set(new Date(start.getTime() + entry.atHours * HOUR_MS));
        await entry.act(actions);
        done.push(`${entry.role}: ${entry.label}`);
        next += 1;
      }
      world.clock.set(new Date(start.getTime() + syncAt * HOUR_MS));
      progress.phase(`day ${day} of ${WEEK_DAYS}: sync at ${world.clock.now().toISOString()}`);
      await world.stack.easypost?.tick();
      syncs.push(await world.app.syncOnce());
      await world.stack.klaviyo.idle();
      const profiles = new Map(world.stack.klaviyo.profiles().filter((p) => p.email !== null && emails.has(p.email)).map((p) => [p.email as string, p]));
      snapshots.push({ at: world.clock.now().toISOString(), profiles });
    }
    days.push({ day, done, syncs, snapshots });
  }
  if (next < ordered.length) throw new Error(`demo week: ${ordered.length - next} scenario entries fall after the last day's sync`);
  return { start, parcels, cast, days };
}

function weekActions(world: WeekWorld, cast: ReadonlyMap<Role, CastMember>, start: Date, parcels: ScriptedParcel[]): WeekActions {
  const refs = new Map<string, number>();
  const returns = new Map<string, { returnId: number; orderId: number }>();
  const returnOf = (ref: string): { returnId: number; orderId: number } => {
    const found = returns.get(ref);
    if (!found) throw new Error(`demo week: no return named ${ref} yet`);
    return found;
  };
  let lineItem = 5_900_000_000;
  let fulfillment = 5_910_000_000;
  const member = (role: Role): CastMember => {
    const found = cast.get(role);
    if (!found) throw new Error(`demo week: no cast member plays ${role}`);
    return found;
  };
  const id = (ref: string): number => {
    const found = refs.get(ref);
    if (found === undefined) throw new Error(`demo week: no order named ${ref} yet`);
    return found;
  };
  const addOrder = (role: Role, ref: string, amount: string, title: string, placedAt?: Date, delivered?: { shippedAt: Date; deliveredAt: Date }, more?: { amount: string; title: string }): void => {
    const who = member(role);
    const placed = placedAt?.toISOString();
    const record = world.store.addOrder({
      email: who.email,
      customer: who.customer,
      shippingAddress: who.address,
      currencyCode: 'BRL',
      lineItems: [{ amount, title }, ...(more ? [more] : [])].map((item) => ({ legacyId: ++lineItem, title: item.title, variantTitle: null, sku: null, vendor: 'demo week', quantity: 1, unitPrice: item.amount, productLegacyId: null })),
      tags: ['demo-week', 'synthesized'],
      note: 'SYNTHESIZED for the demo week',
      ...(placed ? { createdAt: placed, processedAt: placed } : {}),
      ...(delivered ? {
        displayFulfillmentStatus: 'FULFILLED' as const,
        fulfillments: [fulfilmentRecord(++fulfillment, delivered.shippedAt, null, `DH${lineItem}BR`, delivered.deliveredAt)],
      } : {}),
    });
    refs.set(ref, record.legacyId);
  };
  return {
    order: (role, ref, amount, title, more) => addOrder(role, ref, amount, title, undefined, undefined, more),
    ship: (ref, parcel) => {
      parcels.push(ship(world, id(ref), ++fulfillment, parcel, start));
    },
    cancel: (ref) => {
      world.store.cancelOrder(id(ref));
    },
    pastOrdersCrossingAtRisk: async (role, midWeekHours) => {
      const [first, second] = await datesCrossingAtRisk(world.app, member(role).email, world.clock.now(), new Date(start.getTime() + midWeekHours * HOUR_MS));
      addOrder(role, `${role}-past-1`, '149.90', 'Garden hose', first, { shippedAt: new Date(first.getTime() + DAY_MS), deliveredAt: new Date(first.getTime() + 6 * DAY_MS) });
      addOrder(role, `${role}-past-2`, '99.90', 'Garden gloves', second, { shippedAt: new Date(second.getTime() + DAY_MS), deliveredAt: new Date(second.getTime() + 5 * DAY_MS) });
    },
    requestReturn: async (ref, reason, line = 0, as = ref) => {
      const order = world.store.order(id(ref));
      const item = order?.lineItems[line];
      if (!order || !item) throw new Error(`demo week: order ${ref} has no item to return`);
      const requested = await world.stack.shopify.returns.request(order.legacyId, [{ lineItemLegacyId: item.legacyId, quantity: 1, reasonHandle: reason }]);
      returns.set(as, { returnId: requested.legacyId, orderId: order.legacyId });
    },
    returnStep: async (ref, step) => {
      const api = world.stack.shopify.returns;
      const { returnId, orderId } = returnOf(ref);
      if (step === 'decline') await api.decline(returnId, 'FINAL_SALE');
      else if (step === 'refund') await api.refund(returnId, orderId);
      else await api[step](returnId);
    },
    shipReturn: async (ref, scans) => {
      const { returnId, orderId } = returnOf(ref);
      const code = `DR${orderId}BR`;
      await world.stack.shopify.returns.attachTracking(returnId, { number: code, carrierName: 'Correios' });
      world.stack.easypost?.registerParcel({ trackingCode: code, carrier: 'Correios', estDeliveryDate: null, scans: scans.map(([hours, status, statusDetail, message]) => ({ at: new Date(start.getTime() + hours * HOUR_MS), status, statusDetail, message })) });
    },
    coffeeShopHistory: (dueAtHours) => {
      // The seed dates everything from its `now`: the newcomer's bag is due COFFEE_SHOP.newcomerDueDays after it.
      const seedNow = new Date(start.getTime() + dueAtHours * HOUR_MS - COFFEE_SHOP.newcomerDueDays * DAY_MS);
      for (const { legacyId: _id, name: _name, updatedAt: _at, ...order } of coffeeShopOrders(seedNow)) {
        world.store.addOrder({ ...order, currencyCode: 'BRL', tags: ['demo-week', 'synthesized'], note: 'SYNTHESIZED for the demo week (seeds/replenishment.ts)' });
      }
    },
    openTrackingPage: async (role, click) => {
      if (!world.pageBase) throw new Error('demo week: the tracking page is off');
      const email = member(role).email;
      const link = world.stack.klaviyo.events().filter((e) => e.profile.email === email && typeof e.properties.TrackingUrl === 'string' && e.properties.TrackingUrl.includes('/t/')).at(-1)?.properties.TrackingUrl;
      if (typeof link !== 'string') throw new Error(`demo week: ${role} got no tracking page link`);
      const page = await fetch(`${world.pageBase}${new URL(link).pathname}`);
      const html = await page.text();
      if (page.status !== 200) throw new Error(`demo week: the tracking page answered ${page.status}`);
      const go = /href="([^"]*\/go\/[^"]+)"/.exec(html)?.[1];
      if (!click) return;
      if (!go) {
        const shown = [...html.matchAll(/data-block="([^"]+)"/g)].map((m) => m[1]).join(', ') || 'none';
        const segment = world.stack.klaviyo.profiles().find((p) => p.email === email)?.properties.ss_segment;
        throw new Error(`demo week: the tracking page of ${role} (${String(segment)}) shows no block with a link (blocks: ${shown})`);
      }
      const clicked = await fetch(new URL(go.replace(/&amp;/g, '&'), `${world.pageBase}${new URL(link).pathname}`), { redirect: 'manual' });
      if (clicked.status !== 303) throw new Error(`demo week: a block click answered ${clicked.status}`);
    },
  };
}

function fulfilmentRecord(legacyId: number, createdAt: Date, promisedAt: Date | null, code: string, deliveredAt: Date | null): FulfillmentRecord {
  return {
    legacyId,
    status: 'SUCCESS',
    displayStatus: deliveredAt ? 'DELIVERED' : 'CONFIRMED',
    createdAt: createdAt.toISOString(),
    updatedAt: (deliveredAt ?? createdAt).toISOString(),
    inTransitAt: deliveredAt ? createdAt.toISOString() : null,
    deliveredAt: deliveredAt?.toISOString() ?? null,
    estimatedDeliveryAt: promisedAt?.toISOString() ?? null,
    tracking: [{ number: code, company: 'Correios', url: null }],
  };
}

function ship(world: WeekWorld, orderId: number, legacyId: number, parcel: DemoParcelPlan, start: Date): ScriptedParcel {
  const order = world.store.order(orderId);
  if (!order) throw new Error(`demo week: order ${orderId} is not in the store`);
  const code = `DW${orderId}BR`;
  const at = (hours: number): Date => new Date(start.getTime() + hours * HOUR_MS);
  const promisedAt = parcel.promisedAtHours === null ? null : at(parcel.promisedAtHours);
  world.store.updateOrder(orderId, {
    displayFulfillmentStatus: 'FULFILLED',
    fulfillments: [fulfilmentRecord(legacyId, world.clock.now(), promisedAt, code, null)],
    customAttributes: promisedAt ? [{ key: 'promised_delivery_date', value: promisedAt.toISOString().slice(0, 10) }] : [],
  });
  const destination = { city: order.shippingAddress?.city ?? null, state: order.shippingAddress?.provinceCode ?? null, country: 'BR' };
  world.stack.easypost?.registerParcel({
    trackingCode: code,
    carrier: 'Correios',
    estDeliveryDate: promisedAt,
    destination,
    scans: parcel.scans.map(([hours, status, statusDetail, message]) => ({ at: at(hours), status, statusDetail, message, location: destination })),
  });
  return { orderId, trackingCode: code, promisedAt, scans: parcel.scans.map(([hours, status]) => ({ at: at(hours), status })) };
}
