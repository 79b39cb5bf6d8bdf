import { loadGiftRetailerStore } from '../../src/sandbox/shopify/seeds/online-retail';
import { loadOlistStore } from '../../src/sandbox/shopify/seeds/olist';
import { reviewReason } from '../../src/sandbox/shopify/seeds/demo-returns';
import type { SandboxStore } from '../../src/sandbox/shopify/store';

function returnsOf(store: SandboxStore) {
  const out: Array<{ order: string; reason: string | null; refunded: string }> = [];
  for (let i = 0; i < store.size; i++) {
    const order = store.recordAt(i);
    for (const ret of order.returns ?? []) out.push({ order: order.name, reason: ret.lines[0]?.reasonHandle ?? null, refunded: order.totalRefunded });
  }
  return out;
}

describe('demo returns', () => {
  test('review texts name their problem (Portuguese, accents folded); praise names none', () => {
    expect(reviewReason('Produto veio quebrado')).toBe('defective');
    expect(reviewReason('Recebi o produto errado')).toBe('wrong-item');
    expect(reviewReason('Entrega atrasou muito')).toBe('arrived-late');
    expect(reviewReason('Produto ótimo, recomendo')).toBeNull();
  });

  test('the gift retailer\'s credits become returns on earlier invoices; without the option nothing changes', () => {
    const plain = loadGiftRetailerStore();
    const withReturns = loadGiftRetailerStore({ returns: true });
    const returns = returnsOf(withReturns);
    expect(returnsOf(plain)).toEqual([]);
    expect(returns.length).toBeGreaterThan(1000);
    expect(withReturns.size + returns.length).toBe(plain.size);
    expect(returns.every((r) => r.reason === null && Number(r.refunded) > 0)).toBe(true);
  });

  test('Olist gets synthesized returns only from low reviews that name a problem', () => {
    const returns = returnsOf(loadOlistStore({ returns: true }));
    expect(returns.length).toBeGreaterThan(0);
    expect(new Set(returns.map((r) => r.reason))).toEqual(new Set(returns.map((r) => r.reason).filter((r) => r !== null)));
    // eslint-disable-next-line no-console
    console.log(`olist synthesized returns: ${returns.length}`, Object.entries(returns.reduce<Record<string, number>>((acc, r) => ({ ...acc, [String(r.reason)]: (acc[String(r.reason)] ?? 0) + 1 }), {})));
  });
});
