import { createHmac } from 'node:crypto';
import { appProxyMessage, signAppProxy, verifyAppProxy } from '../../src/pages/tracking/app-proxy';

/** Shopify app proxy signatures, as Shopify documents them: sorted keys, repeated values comma-joined, no separator. */
describe('Shopify app proxy signature', () => {
  const query = 'extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=&path_prefix=%2Fapps%2Ftrack&timestamp=1317327555';

  it('builds the message from every parameter but the signature', () => {
    const pairs = [...new URLSearchParams(`${query}&signature=abc`)];
    expect(appProxyMessage(pairs)).toBe('extra=1,2logged_in_customer_id=path_prefix=/apps/trackshop=shop-name.myshopify.comtimestamp=1317327555');
  });

  it('accepts Shopify\'s signature and refuses a tampered query, a missing or malformed signature, or another secret', () => {
    const expected = createHmac('sha256', 'hush').update('extra=1,2logged_in_customer_id=path_prefix=/apps/trackshop=shop-name.myshopify.comtimestamp=1317327555').digest('hex');
    expect(signAppProxy([...new URLSearchParams(query)], 'hush')).toBe(expected);
    expect(verifyAppProxy(`?${query}&signature=${expected}`, 'hush')).toBe(true);
    expect(verifyAppProxy(`?${query.replace('shop-name', 'other-shop')}&signature=${expected}`, 'hush')).toBe(false);
    expect(verifyAppProxy(`?${query}`, 'hush')).toBe(false);
    expect(verifyAppProxy(`?${query}&signature=zz`, 'hush')).toBe(false);
    expect(verifyAppProxy(`?${query}&signature=${expected}`, 'not-hush')).toBe(false);
  });
});
