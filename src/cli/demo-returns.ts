import type { App } from '../daemon/app';
import type { LocalStack } from '../sandbox/local-stack';
import type { OrderRecord } from '../sandbox/shopify/record';
import type { ManualClock } from '../util/clock';

/** The demo's returns part: returns by reason and segment as Klaviyo holds them, then one live return, end to end. */
export interface DemoReturnsOutput {
  (line?: string): void;
}

const RETURN_REQUESTED = 'Return Requested';

/**
 * Returns by reason, and by the returning customer's segment now, from what Klaviyo holds. The event's own
 * `LifecycleSegment` is the segment at the request; a first backfill reads history before anyone is assessed, so
 * there it is null and the profile's current segment is the one to count by.
 */
export function klaviyoReturnCounts(stack: LocalStack): { byReason: Map<string, number>; bySegment: Map<string, number> } {
  const byReason = new Map<string, number>();
  const bySegment = new Map<string, number>();
  const segmentOf = new Map(stack.klaviyo.profiles().map((p) => [p.email, String(p.properties.ss_segment ?? 'none')]));
  for (const event of stack.klaviyo.events()) {
    if (event.metric !== RETURN_REQUESTED) continue;
    const reasons = Array.isArray(event.properties.ReturnReasons) ? event.properties.ReturnReasons.map(String) : ['unknown'];
    for (const reason of reasons) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    const segment = segmentOf.get(event.profile.email ?? '') ?? 'none';
    bySegment.set(segment, (bySegment.get(segment) ?? 0) + 1);
  }
  return { byReason, bySegment };
}

/** The newest delivered order with an item and a customer: the one the live return is made on. */
function newestDelivered(stack: LocalStack): OrderRecord | null {
  const store = stack.shopify.store;
  let best: OrderRecord | null = null;
  for (let i = 0; i < store.size; i++) {
    const order = store.recordAt(i);
    const delivered = order.fulfillments[0]?.deliveredAt;
    if (!delivered || order.cancelledAt || !order.customer?.email || order.lineItems.length === 0 || (order.returns?.length ?? 0) > 0) continue;
    if (!best || delivered > (best.fulfillments[0]?.deliveredAt ?? '')) best = order;
  }
  return best;
}

/**
 * Prints returns by reason and segment (history: the data's credits or synthesized returns), then requests one return
 * now on the newest delivered order through the Shopify sandbox and syncs: the customer's hold and cleared review
 * request show what a live return does.
 */
export async function demoReturns(stack: LocalStack, app: App, clock: ManualClock, write: DemoReturnsOutput): Promise<void> {
  const { byReason, bySegment } = klaviyoReturnCounts(stack);
  const total = [...byReason.values()].reduce((a, b) => a + b, 0);
  write(`returns in Klaviyo: ${total} \`${RETURN_REQUESTED}\` events (history: recorded without triggering flows)`);
  write('  by reason:  ' + ([...byReason].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ') || 'none'));
  write('  by the customer\'s segment now: ' + ([...bySegment].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'));
  const order = newestDelivered(stack);
  const email = order?.customer?.email;
  if (!order || !email) return;
  const before = stack.klaviyo.profiles().find((p) => p.email === email)?.properties ?? {};
  clock.advance(3_600_000);
  await stack.shopify.returns.request(order.legacyId, [{ lineItemLegacyId: order.lineItems[0].legacyId, quantity: 1, reasonHandle: 'defective' }]);
  await app.syncOnce();
  const after = stack.klaviyo.profiles().find((p) => p.email === email)?.properties ?? {};
  const show = (p: Readonly<Record<string, unknown>>) =>
    `hold_promotions=${String(p.ss_hold_promotions ?? '-')} hold_reason=${String(p.ss_hold_reason ?? '-')} review_request_ready_at=${String(p.ss_review_request_ready_at ?? '-')} trust_at_risk=${String(p.ss_trust_at_risk ?? '-')}`;
  write(`a live return, requested now on ${order.name} (${email}), reason defective:`);
  write(`  before: ${show(before)}`);
  write(`  after:  ${show(after)} return_open=${String(after.ss_return_open)} return_rate=${String(after.ss_return_rate)}`);
}
