import { advanceCursor, alreadySeen, searchQueryFor } from '../../src/sources/shopify/cursor';

const order = (id: string, updatedAt: string) => ({ id, updatedAt });

describe('orders cursor', () => {
  it('starts with no filter and advances to the newest change', () => {
    expect(searchQueryFor(null, 60_000)).toBeNull();
    const cursor = advanceCursor(null, [order('a', '2024-01-01T00:00:00.000Z'), order('b', '2024-01-01T00:00:30.000Z')], 60_000);
    expect(cursor?.updatedAt).toBe('2024-01-01T00:00:30.000Z');
    expect(searchQueryFor(cursor, 60_000)).toBe("updated_at:>='2023-12-31T23:59:30.000Z'");
  });

  it('skips versions already handled inside the overlap, but not newer versions of the same order', () => {
    const cursor = advanceCursor(null, [order('a', '2024-01-01T00:00:00.000Z')], 60_000);
    expect(alreadySeen(cursor, 'a', '2024-01-01T00:00:00.000Z')).toBe(true);
    expect(alreadySeen(cursor, 'a', '2024-01-01T00:00:05.000Z')).toBe(false);
    expect(alreadySeen(cursor, 'b', '2024-01-01T00:00:00.000Z')).toBe(false);
  });

  it('forgets versions that fall out of the overlap window and never moves backwards', () => {
    const first = advanceCursor(null, [order('a', '2024-01-01T00:00:00.000Z')], 60_000);
    const second = advanceCursor(first, [order('b', '2024-01-01T00:05:00.000Z'), order('c', '2023-12-01T00:00:00.000Z')], 60_000);
    expect(second?.updatedAt).toBe('2024-01-01T00:05:00.000Z');
    expect(Object.keys(second?.seen ?? {})).toEqual(['b']);
    expect(advanceCursor(second, [], 60_000)).toBe(second);
  });
});
