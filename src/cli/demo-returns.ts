import type { LocalStack } from '../sandbox/local-stack';

/** The demo's returns summary: returns by reason and segment as Klaviyo holds them. */
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

/** Returns by reason and by the customer's segment now, as Klaviyo holds them (history and the week's live ones). */
export function returnsSummary(stack: LocalStack, write: DemoReturnsOutput): void {
  const { byReason, bySegment } = klaviyoReturnCounts(stack);
  const total = [...byReason.values()].reduce((a, b) => a + b, 0);
  const live = stack.klaviyo.events().filter((e) => e.metric === RETURN_REQUESTED && !e.backfill).length;
  write(`returns in Klaviyo: ${total} \`${RETURN_REQUESTED}\` events (${live} live this week; the rest history, recorded without triggering flows)`);
  write('  by reason:  ' + ([...byReason].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ') || 'none'));
  write('  by the customer\'s segment now: ' + ([...bySegment].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'));
}
