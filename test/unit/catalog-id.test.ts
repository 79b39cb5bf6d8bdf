import fc from 'fast-check';
import { catalogId } from '../../src/mapping/profile-fields';

/** What catalogId read with a regular expression before; it must read every id the same way. */
const byRegex = (productId: string): string => /^gid:\/\/[^/]+\/[^/]+\/(.+)$/.exec(productId)?.[1] ?? productId;

test('catalogId reads GIDs as the regular expression did, and leaves other ids alone', () => {
  expect(catalogId('gid://shopify/Product/7500001067')).toBe('7500001067');
  expect(catalogId('sku:ABC-1')).toBe('sku:ABC-1');
  expect(catalogId('123')).toBe('123');
  const part = fc.string({ unit: fc.constantFrom('a', '/', '1', '\n', ':', 'g') , maxLength: 6 });
  fc.assert(fc.property(fc.tuple(fc.constantFrom('gid://', 'gid:/', ''), part, part, part), ([head, a, b, c]) => {
    const id = `${head}${a}/${b}/${c}`;
    expect(catalogId(id)).toBe(byRegex(id));
    expect(catalogId(head + a)).toBe(byRegex(head + a));
  }), { numRuns: 3000 });
});
