import { DEFAULT_TRUST, trustConfigSchema, type TrustConfig } from '../../src/enrichment/returns/config';
import { assessTrust, type TrustParcel } from '../../src/enrichment/returns/trust';
import type { OrderReturnsRecord } from '../../src/model/returns';

const DAY = 86_400_000;
const NOW = new Date('2026-06-10T12:00:00.000Z');
const daysBefore = (days: number): string => new Date(NOW.getTime() - days * DAY).toISOString();

const parcel = (overrides: Partial<TrustParcel> = {}): TrustParcel =>
  ({ orderName: '#1001', status: 'delivered', statusDetail: 'arrived_at_destination', lastEventAt: daysBefore(3), openIssue: null, ...overrides });

const defect = (requestedDaysAgo: number, reason = 'defective', status: 'requested' | 'declined' = 'requested'): OrderReturnsRecord => ({
  orderId: 'o1', orderName: '#1002', refunds: [],
  returns: [{
    id: 'r1', name: null, status, requestedAt: daysBefore(requestedDaysAgo), approvedAt: null, closedAt: null, declineReason: null,
    seenAt: daysBefore(requestedDaysAgo), receivedByStore: false, parcels: [], announced: [],
    lines: [{ sku: 'MUG', name: 'Mug', quantity: 1, reason, reasonName: null }],
  }],
});

const assess = (parcels: TrustParcel[], returns: OrderReturnsRecord[] = [], config: TrustConfig = DEFAULT_TRUST) => assessTrust({ parcels, returns }, config, NOW);

describe('fragile trust rules (config/trust.yaml defaults)', () => {
  test('a customer whose parcels arrived and who returned nothing is not at risk', () => {
    expect(assess([parcel()])).toEqual({ atRisk: false, reasons: [], changesAt: null });
  });

  test('an open delivery issue: at risk for as long as it is open, in words', () => {
    expect(assess([parcel({ status: 'in_transit', openIssue: 'no carrier scan for 4 business days' })]).reasons)
      .toEqual(['delivery problem open on order #1001: no carrier scan for 4 business days']);
  });

  test('a damaged parcel: at risk inside the 60-day window, not at its end', () => {
    const damaged = (days: number) => assess([parcel({ status: 'delivered', statusDetail: 'damaged', lastEventAt: daysBefore(days) })]);
    expect(damaged(59.9)).toMatchObject({ atRisk: true, reasons: ['parcel for order #1001 reported damaged on 2026-04-11'] });
    expect(damaged(59.9).changesAt?.toISOString()).toBe(new Date(Date.parse(daysBefore(59.9)) + 60 * DAY).toISOString());
    expect(damaged(60).atRisk).toBe(false);
    expect(damaged(0).reasons).toEqual(['parcel for order #1001 reported damaged on 2026-06-10']);
  });

  test('a lost, returned-to-sender or failed parcel counts; an ordinary delivered one does not', () => {
    expect(assess([parcel({ status: 'failure', statusDetail: 'lost', lastEventAt: daysBefore(1) })]).reasons).toEqual(['parcel for order #1001 reported lost on 2026-06-09']);
    expect(assess([parcel({ status: 'return_to_sender', statusDetail: 'return' })]).reasons).toEqual(['parcel for order #1001 was returned to sender on 2026-06-07']);
    expect(assess([parcel({ status: 'failure', statusDetail: 'delivery_exception' })]).reasons).toEqual(['parcel for order #1001 was not delivered on 2026-06-07']);
    expect(assess([parcel({ lastEventAt: null, status: 'failure' })]).atRisk).toBe(false);
  });

  test('a return for a defect: at risk inside the 90-day window (declined too), not for other reasons', () => {
    expect(assess([], [defect(89)]).reasons).toEqual(['returned Mug from order #1002 as "defective" on 2026-03-13']);
    expect(assess([], [defect(90)]).atRisk).toBe(false);
    expect(assess([], [defect(10, 'defective', 'declined')]).atRisk).toBe(true);
    expect(assess([], [defect(10, 'size-too-small')]).atRisk).toBe(false);
    expect(assess([], [defect(2, 'arrived-late')]).reasons).toEqual(['returned Mug from order #1002 as "arrived late" on 2026-06-08']);
  });

  test('every rule can be switched off, and windows and reasons are the config\'s', () => {
    const config = trustConfigSchema.parse({ trust: { openDeliveryIssue: { enabled: false }, damagedOrLostParcel: { windowDays: 5 }, defectReturn: { reasons: ['size-too-small'] } } }).trust;
    expect(assess([parcel({ openIssue: 'late' })], [], config).atRisk).toBe(false);
    expect(assess([parcel({ statusDetail: 'damaged', lastEventAt: daysBefore(6) })], [], config).atRisk).toBe(false);
    expect(assess([], [defect(10, 'size-too-small')], config).atRisk).toBe(true);
  });

  test('reasons add up; the assessment says when the earliest window lapses', () => {
    const result = assess([parcel({ statusDetail: 'damaged', lastEventAt: daysBefore(50) }), parcel({ orderName: '#1003', openIssue: 'late' })], [defect(5)]);
    expect(result.reasons).toHaveLength(3);
    expect(result.changesAt?.toISOString()).toBe(new Date(NOW.getTime() + 10 * DAY).toISOString());
  });

  test('the config is validated: bad windows and reason handles are refused', () => {
    expect(trustConfigSchema.safeParse({ trust: { defectReturn: { windowDays: 0 } } }).success).toBe(false);
    expect(trustConfigSchema.safeParse({ trust: { defectReturn: { reasons: ['Defective Item'] } } }).success).toBe(false);
    expect(trustConfigSchema.safeParse({ trust: { unknownRule: {} } }).success).toBe(false);
  });
});
