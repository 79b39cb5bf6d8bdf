import { assertNamespace, orderCursorKey, storeIdFrom, trackingCursorKey } from '../../src/state/keys';

test('a store id is the lowercase host of a domain or URL, with its port', () => {
  expect(storeIdFrom('My-Shop.myshopify.com')).toBe('my-shop.myshopify.com');
  expect(storeIdFrom('https://Shop.Example.com/wp/wp-json/')).toBe('shop.example.com');
  expect(storeIdFrom('  shop.example.com/  ')).toBe('shop.example.com');
  expect(storeIdFrom('http://127.0.0.1:8443')).toBe('127.0.0.1-8443');
  expect(storeIdFrom('localhost:3001')).toBe('localhost-3001');
});

test('a store id never holds the key separator or anything outside a-z 0-9 . _ -', () => {
  for (const input of ['shop.example.com', 'https://user:pw@shop.example.com:81/x?y=z', 'http://[::1]:3000']) {
    expect(storeIdFrom(input)).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
  }
});

test('nothing usable is refused loudly', () => {
  expect(() => storeIdFrom('')).toThrow(/store id/);
  expect(() => storeIdFrom('https://')).toThrow(/store id/);
  expect(() => storeIdFrom('%%%')).toThrow(/store id/);
});

test('namespaces are validated: no separator, no empty, nothing a pattern or a shell reads', () => {
  expect(assertNamespace('shipsignal')).toBe('shipsignal');
  for (const bad of ['', 'a:b', 'A', 'shop*', '-x', 'x'.repeat(101)]) expect(() => assertNamespace(bad)).toThrow(/namespace/);
});

test('cursors are per source name, in the layout earlier versions wrote', () => {
  expect(orderCursorKey('shopify')).toBe('cursor:shopify:orders');
  expect(orderCursorKey('woocommerce')).toBe('cursor:woocommerce:orders');
  expect(trackingCursorKey('easypost')).toBe('cursor:easypost:trackers');
});
