import { memoByValue } from '../../src/util/memo';

test('memoByValue computes once per value, apart for each value, and keeps a null result', () => {
  const calls: object[] = [];
  const sizeOf = memoByValue((list: readonly number[]) => {
    calls.push(list);
    return list.length === 0 ? null : list.length;
  });
  const a = [1, 2];
  const empty: number[] = [];
  expect([sizeOf(a), sizeOf(a), sizeOf([1, 2]), sizeOf(empty), sizeOf(empty)]).toEqual([2, 2, 2, null, null]);
  // `a` and `empty` once each; an equal but different array is another value.
  expect(calls.length).toBe(3);
});
