import { parseCounter, parseTail, prepareUnit, rowsFor } from '../../src/state/commit-plan';

test('a unit is encoded up front: last entry of a key wins, empty appends take no slot, logs sorted', () => {
  const unit = prepareUnit({
    appends: [{ log: 'b', items: [1] }, { log: 'a', items: [] }, { log: 'a', items: [':x'] }, { log: 'b', items: [2] }],
    entries: [['k', 1], ['j', 2], ['k', 3]],
    deletes: ['d', 'd'],
  });
  expect(unit.logs).toEqual(['a', 'b']);
  expect(unit.entries).toEqual([['j', '{"value":2}'], ['k', '{"value":3}']]);
  expect(unit.deletes).toEqual(['d']);
  expect(rowsFor(unit, new Map([['b', 7]]))).toEqual([
    ['j', '{"value":2}'], ['k', '{"value":3}'],
    ['b:batch:7', '{"value":[1]}'], ['a:batch:0', '{"value":["::x"]}'], ['b:batch:8', '{"value":[2]}'],
    ['a:tail', '{"value":1}'], ['b:tail', '{"value":9}'],
  ]);
});

test('a value that cannot be encoded fails the whole unit before any write', () => {
  expect(() => prepareUnit({ appends: [{ log: 'a', items: [1] }], entries: [['k', { n: BigInt(1) }]] })).toThrow();
});

test('tails and counters are non-negative / plain integers or the commit is refused', () => {
  expect(parseTail('a', undefined)).toBe(0);
  expect(parseTail('a', '{"value":4}')).toBe(4);
  for (const bad of ['{"value":-1}', '{"value":1.5}', '{"value":"3"}', 'garbage', '{}']) expect(() => parseTail('a', bad)).toThrow(/corrupt tail/);
  expect(parseCounter('n', '{"value":-3}')).toBe(-3);
  expect(() => parseCounter('n', '{"value":"x"}')).toThrow(/not an integer/);
});
