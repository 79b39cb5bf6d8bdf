import fc from 'fast-check';
import { pageOf, parseListQuery, type Listable } from '../../src/sandbox/easypost/paging';
import { synthesizeScanHistory } from '../../src/sandbox/easypost/synthesize';

const DAY = 86_400_000;
const BR_SP = { city: 'SAO PAULO', state: 'SP', country: 'BR' };
const BR_RJ = { city: 'RIO DE JANEIRO', state: 'RJ', country: 'BR' };

const deliveredCase = fc.record({
  handOff: fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2019, 0, 1) }),
  transitMs: fc.integer({ min: DAY / 2, max: 30 * DAY }),
  seed: fc.nat(),
});

describe('synthesizeScanHistory', () => {
  test('delivered: label before hand-off, ordered in-transit hops, out for delivery, delivered at the real time', () => {
    fc.assert(fc.property(deliveredCase, ({ handOff, transitMs, seed }) => {
      const handOffAt = new Date(handOff);
      const deliveredAt = new Date(handOff + transitMs);
      const scans = synthesizeScanHistory({ handOffAt, deliveredAt, status: 'delivered', seed, origin: BR_SP, destination: BR_RJ });
      const times = scans.map((s) => s.at.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(scans[0]).toMatchObject({ status: 'pre_transit', statusDetail: 'label_created' });
      expect(scans[0].at.getTime()).toBeLessThan(handOff);
      expect(scans[1]).toMatchObject({ status: 'in_transit', at: handOffAt });
      const last = scans[scans.length - 1];
      expect(last).toMatchObject({ status: 'delivered', at: deliveredAt, location: BR_RJ });
      const ofd = scans[scans.length - 2];
      expect(ofd.status).toBe('out_for_delivery');
      expect(deliveredAt.getTime() - ofd.at.getTime()).toBeLessThan(DAY);
      for (const hop of scans.slice(2, -2)) {
        expect(hop.status).toBe('in_transit');
        expect(['departed_facility', 'arrived_at_facility']).toContain(hop.statusDetail);
      }
      // Hops come every one to two days (weekend skips add up to two more), never bunched in one day.
      const hops = scans.slice(1, -2).map((s) => s.at.getTime());
      const departures = scans.filter((s) => s.statusDetail === 'departed_facility').map((s) => s.at.getTime());
      expect(departures.length).toBeLessThanOrEqual(Math.ceil(transitMs / (DAY - 3 * 3_600_000)));
      expect(hops.every((t, i) => i === 0 || t > hops[i - 1])).toBe(true);
    }));
  });

  test('is deterministic for a seed and varies across seeds', () => {
    const input = { handOffAt: new Date('2017-10-02T14:00:00Z'), deliveredAt: new Date('2017-10-12T17:30:00Z'), status: 'delivered' as const };
    expect(synthesizeScanHistory({ ...input, seed: 7 })).toEqual(synthesizeScanHistory({ ...input, seed: 7 }));
    const variants = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(synthesizeScanHistory({ ...input, seed }))));
    expect(variants.size).toBeGreaterThan(1);
  });

  test('long transits produce intermediate hops, some skipping weekends', () => {
    let weekendHops = 0;
    let hops = 0;
    for (let seed = 0; seed < 40; seed++) {
      const scans = synthesizeScanHistory({
        handOffAt: new Date('2018-03-05T12:00:00Z'), deliveredAt: new Date('2018-03-26T15:00:00Z'), status: 'delivered', seed,
      });
      const inner = scans.filter((s) => s.statusDetail === 'departed_facility');
      hops += inner.length;
      weekendHops += inner.filter((s) => s.at.getUTCDay() === 0 || s.at.getUTCDay() === 6).length;
    }
    expect(hops).toBeGreaterThan(40 * 5);
    // Two weekend days in seven, mostly moved to Monday: well under the 2/7 an unskipped schedule would show.
    expect(weekendHops / hops).toBeLessThan(0.2);
  });

  test('undelivered outcomes end with their own status at endAt', () => {
    const handOffAt = new Date('2018-01-10T10:00:00Z');
    const endAt = new Date('2018-01-20T10:00:00Z');
    for (const status of ['return_to_sender', 'failure', 'available_for_pickup'] as const) {
      const scans = synthesizeScanHistory({ handOffAt, deliveredAt: null, endAt, status, seed: 3 });
      expect(scans[scans.length - 1]).toMatchObject({ status, at: endAt });
      expect(scans.every((s) => s.at <= endAt)).toBe(true);
    }
    const moving = synthesizeScanHistory({ handOffAt, deliveredAt: null, endAt, status: 'in_transit', seed: 3 });
    expect(moving.every((s) => s.at <= endAt && s.status !== 'delivered')).toBe(true);
    expect(() => synthesizeScanHistory({ handOffAt, deliveredAt: null, status: 'delivered', seed: 1 })).toThrow(RangeError);
  });
});

describe('EasyPost paging (pure)', () => {
  test('walking before_id pages visits every record in the window once, newest first', () => {
    const now = new Date('2026-01-31T12:00:00Z');
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 40 * DAY }), { maxLength: 120 }), fc.integer({ min: 1, max: 100 }), (ages, pageSize) => {
      const items: Listable[] = ages.map((age, seq) => ({ id: `trk_${seq}`, createdAt: new Date(now.getTime() - age), seq }));
      const query = parseListQuery(new URLSearchParams({ page_size: String(pageSize) }), now);
      if ('error' in query) throw new Error(query.error);
      const seen: Listable[] = [];
      let anchor = null as Listable | null;
      for (;;) {
        const { page, hasMore }: { page: Listable[]; hasMore: boolean } = pageOf(items, { ...query, beforeId: anchor?.id ?? null }, anchor);
        seen.push(...page);
        if (!hasMore) break;
        anchor = page[page.length - 1];
      }
      const expected = items
        .filter((i) => i.createdAt >= query.start)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.seq - a.seq);
      expect(seen.map((i) => i.id)).toEqual(expected.map((i) => i.id));
    }));
  });

  test('defaults: one month back, to the end of today; empty page_size is the default size', () => {
    const now = new Date('2026-03-31T10:00:00Z');
    const q = parseListQuery(new URLSearchParams('page_size&before_id=trk_1'), now);
    expect(q).toMatchObject({ pageSize: 20, beforeId: 'trk_1', start: new Date('2026-02-28T10:00:00Z'), end: new Date('2026-03-31T23:59:59.999Z') });
    const fromStart = parseListQuery(new URLSearchParams({ start_datetime: '2026-01-15T00:00:00Z', page_size: '100' }), now);
    expect(fromStart).toMatchObject({ pageSize: 100, end: new Date('2026-02-15T00:00:00Z') });
    // Over EasyPost's documented maximum is refused, naming the parameter, not cut to 100.
    expect(parseListQuery(new URLSearchParams({ page_size: '101' }), now)).toEqual({ error: 'page_size must be 100 or less, got 101', field: 'page_size' });
    expect(parseListQuery(new URLSearchParams({ before_id: 'a', after_id: 'b' }), now)).toHaveProperty('error');
  });
});
