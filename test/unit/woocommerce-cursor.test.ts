import { advanceCursor, alreadySeen, firstPosition, nextPosition, wooGmt } from '../../src/sources/woocommerce/cursor';
import { ordersQuery } from '../../src/sources/woocommerce/orders-stream';

const at = (iso: string) => Date.parse(iso);

describe('WooCommerce orders cursor', () => {
  it('starts from the whole history, then from the mark minus the overlap, in WooCommerce GMT format', () => {
    expect(firstPosition(null, 60_000)).toEqual({ modifiedAfter: null, page: 1 });
    const cursor = advanceCursor(null, [{ id: '1', updatedAt: '2024-01-01T10:00:30.000Z' }], 60_000);
    expect(firstPosition(cursor, 60_000)).toEqual({ modifiedAfter: '2024-01-01T09:59:30', page: 1 });
    expect(wooGmt(at('2024-01-01T10:00:30.999Z'))).toBe('2024-01-01T10:00:30');
  });

  it('asks WooCommerce for modified order, oldest first, GMT dates, at most 100 a page, trash included', () => {
    const query = ordersQuery({ modifiedAfter: '2024-01-01T09:59:30', page: 2 }, { perPage: 500, overlapMs: 0 });
    expect(query).toMatchObject({ modified_after: '2024-01-01T09:59:30', dates_are_gmt: 'true', orderby: 'modified', order: 'asc', per_page: 100, page: 2 });
    expect(query.status).toContain('trash');
    expect(ordersQuery({ modifiedAfter: null, page: 1 }, { perPage: 50, overlapMs: 0 })).not.toHaveProperty('modified_after');
  });

  it('re-starts each page one second before its newest change (keyset), so a shifted list skips nothing', () => {
    const next = nextPosition({ modifiedAfter: null, page: 1 }, at('2024-01-01T10:00:30Z'), 5);
    expect(next).toEqual({ modifiedAfter: '2024-01-01T10:00:29', page: 1 });
    expect(nextPosition({ modifiedAfter: '2024-01-01T10:00:29', page: 1 }, at('2024-01-01T10:05:00Z'), 3)).toEqual({ modifiedAfter: '2024-01-01T10:04:59', page: 1 });
  });

  it('pages by number only while a whole page shares one second (or has no readable date), and stops on the last page', () => {
    const stuck = { modifiedAfter: '2024-01-01T10:00:29', page: 1 };
    expect(nextPosition(stuck, at('2024-01-01T10:00:30Z'), 4)).toEqual({ modifiedAfter: '2024-01-01T10:00:29', page: 2 });
    expect(nextPosition(stuck, null, 4)).toEqual({ modifiedAfter: '2024-01-01T10:00:29', page: 2 });
    expect(nextPosition(stuck, at('2024-01-01T11:00:00Z'), 1)).toBeNull();
    expect(nextPosition({ modifiedAfter: null, page: 3 }, at('2024-01-01T11:00:00Z'), 3)).toBeNull();
  });

  it('de-duplicates a replay by (id, date_modified_gmt) and lets a newer version through', () => {
    const cursor = advanceCursor(null, [{ id: '7', updatedAt: '2024-01-01T10:00:00.000Z' }], 60_000);
    expect(alreadySeen(cursor, '7', '2024-01-01T10:00:00.000Z')).toBe(true);
    expect(alreadySeen(cursor, '7', '2024-01-01T10:00:01.000Z')).toBe(false);
    const later = advanceCursor(cursor, [{ id: '8', updatedAt: '2024-01-01T10:05:00.000Z' }], 60_000);
    expect(later).toEqual({ updatedAt: '2024-01-01T10:05:00.000Z', seen: { '8': '2024-01-01T10:05:00.000Z' } });
  });
});
