import type { App } from '../daemon/app';
import { evaluateLifecycle } from '../enrichment/lifecycle/evaluate';
import type { CustomerAggregate, Segment } from '../model/customer';
import type { AddressRecord, CustomerRecord } from '../sandbox/shopify/record';
import type { SandboxStore } from '../sandbox/shopify/store';
import { COFFEE_SHOP } from '../sandbox/shopify/seeds/replenishment';
import type { Role } from './demo-scenario';

/**
 * Who plays the demo week: real Olist customers where the data has one that fits (their names and emails are the
 * seed's synthesized identities), synthesized customers otherwise, each labelled so in the output.
 */
export interface CastMember {
  readonly role: Role;
  readonly email: string;
  readonly name: string;
  readonly real: boolean;
  /** Why this customer was picked, in words. */
  readonly why: string;
  readonly customer: CustomerRecord;
  readonly address: AddressRecord;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type Synthesized = 'first-time' | 'cancelling' | 'refusing' | 'at-risk' | 'returner' | 'replenishing';

const SYNTHESIZED: Record<Synthesized, { first: string; last: string; city: string; state: string; why: string; email?: string }> = {
  'first-time': { first: 'Ana', last: 'Demo', city: 'Sao Paulo', state: 'SP', why: 'a new customer, synthesized' },
  cancelling: { first: 'Carla', last: 'Demo', city: 'Campinas', state: 'SP', why: 'a new customer, synthesized' },
  refusing: { first: 'Eva', last: 'Demo', city: 'Curitiba', state: 'PR', why: 'a new customer, synthesized' },
  'at-risk': { first: 'Marta', last: 'Demo', city: 'Belo Horizonte', state: 'MG', why: 'a repeat customer with a synthesized history' },
  returner: { first: 'Rita', last: 'Demo', city: 'Recife', state: 'PE', why: 'a new customer, synthesized, who returns an order' },
  // The coffee shop seed's newcomer (seeds/replenishment.ts): its orders carry their own customer record.
  replenishing: { first: 'Newbie', last: 'Coffee', city: 'Santos', state: 'SP', why: 'a coffee shop newcomer, synthesized', email: COFFEE_SHOP.newcomer },
};

function synthesized(role: Synthesized, index: number, weekStart: Date): CastMember {
  const s = SYNTHESIZED[role];
  const email = s.email ?? `${s.first.toLowerCase()}.${role}.demo-week@example.com`;
  return {
    role, email, name: `${s.first} ${s.last}`, real: false, why: s.why,
    customer: { legacyId: 7_900_000_000 + index, firstName: s.first, lastName: s.last, email, phone: null, createdAt: weekStart.toISOString(), tags: ['demo-week'] },
    address: { firstName: s.first, lastName: s.last, city: s.city, province: null, provinceCode: s.state, zip: null, country: 'Brazil', countryCodeV2: 'BR', phone: null },
  };
}

const netOf = (customer: CustomerAggregate): number => customer.orders.reduce((sum, o) => sum + (o.cancelled ? 0 : o.netMinor), 0);
const bought = (customer: CustomerAggregate): number => customer.orders.filter((o) => !o.cancelled).length;

/** Picks the real customers (one read of every customer: the demo's state, ten thousand of them) and makes up the rest. */
export async function castWeek(app: App, store: SandboxStore, weekStart: Date): Promise<Map<Role, CastMember>> {
  const { context } = app;
  const stats = await context.stats.get();
  const config = context.settings.lifecycle;
  let vip: CustomerAggregate | null = null;
  let lapsing: { customer: CustomerAggregate; distance: number } | null = null;
  const returning: CustomerAggregate[] = [];
  const middle = weekStart.getTime() + 3.5 * DAY_MS;
  for await (const chunk of context.customers.all()) {
    for (const customer of chunk) {
      if (bought(customer) === 0) continue;
      if (!vip || netOf(customer) > netOf(vip)) vip = customer;
      if (customer.segment === 'lapsed' && bought(customer) === 1) returning.push(customer);
      const review = customer.nextReviewAt ? Date.parse(customer.nextReviewAt) : null;
      if (customer.segment === 'at_risk' && review !== null && review > weekStart.getTime() + DAY_MS && review < weekStart.getTime() + 6 * DAY_MS) {
        const next = evaluateLifecycle(customer, stats, new Date(review + 60_000), config).segment;
        const distance = Math.abs(review - middle);
        if (next === 'lapsed' && (!lapsing || distance < lapsing.distance)) lapsing = { customer, distance };
      }
    }
  }
  // A modest spender, so one more small order makes them `repeat`, not a top-spend VIP.
  returning.sort((a, b) => netOf(a) - netOf(b) || a.key.localeCompare(b.key));
  const comeback = returning[Math.floor(returning.length / 3)] ?? null;
  const records = latestRecords(store, new Set([vip?.key, lapsing?.customer.key, comeback?.key].filter((k): k is string => !!k)));
  const cast = new Map<Role, CastMember>();
  const real = (role: Role, customer: CustomerAggregate | null, why: string): void => {
    const record = customer ? records.get(customer.key) : undefined;
    if (!customer || !record) throw new Error(`demo week: no customer in the data fits the ${role} role (${why})`);
    cast.set(role, { role, email: customer.key, name: [customer.firstName, customer.lastName].filter(Boolean).join(' ') || customer.key, real: true, why, ...record });
  };
  real('vip', vip, 'the store\'s top spender');
  real('lapsing', lapsing?.customer ?? null, 'at_risk, and time alone makes them lapsed mid-week');
  real('returning', comeback, 'lapsed after one order');
  (['first-time', 'cancelling', 'refusing', 'at-risk', 'returner', 'replenishing'] as const).forEach((role, i) => cast.set(role, synthesized(role, i + 1, weekStart)));
  return cast;
}

function latestRecords(store: SandboxStore, emails: ReadonlySet<string>): Map<string, { customer: CustomerRecord; address: AddressRecord }> {
  const found = new Map<string, { customer: CustomerRecord; address: AddressRecord }>();
  for (let i = 0; i < store.size; i++) {
    const record = store.recordAt(i);
    const email = record.customer?.email?.toLowerCase();
    if (email && emails.has(email) && record.customer && record.shippingAddress) found.set(email, { customer: record.customer, address: record.shippingAddress });
  }
  return found;
}

/**
 * Two order dates for a synthesized repeat customer such that, imported at `importAt`, they are neither at_risk
 * nor lapsed, and time alone makes them at_risk by `crossBy` (assessed with this store's statistics and rules).
 */
export async function datesCrossingAtRisk(app: App, email: string, importAt: Date, crossBy: Date): Promise<[Date, Date]> {
  const stats = await app.context.stats.get();
  const config = app.context.settings.lifecycle;
  const aggregate = (first: number, second: number, segment: Segment | null): CustomerAggregate => ({
    key: email, email, phone: null, firstName: null, lastName: null, currency: 'BRL',
    orders: [
      { orderId: 'demo-a', placedAt: new Date(first).toISOString(), netMinor: 14_990, cancelled: false },
      { orderId: 'demo-b', placedAt: new Date(second).toISOString(), netMinor: 9_990, cancelled: false },
    ],
    segment, segmentSince: null, pushedHash: null, nextReviewAt: null,
  });
  for (let recency = 10; recency <= 400; recency += 1) {
    const second = importAt.getTime() - recency * DAY_MS;
    const first = second - 40 * DAY_MS;
    const atImport = evaluateLifecycle(aggregate(first, second, null), stats, importAt, config).segment;
    if (atImport === 'at_risk' || atImport === 'lapsed') break;
    if (evaluateLifecycle(aggregate(first, second, atImport), stats, crossBy, config).segment === 'at_risk') return [new Date(first), new Date(second)];
  }
  throw new Error('demo week: found no order dates that cross into at_risk within the week under this store\'s rules');
}
