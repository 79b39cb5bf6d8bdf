import { signAppProxy } from '../../src/pages/tracking/app-proxy';
import { startTrackingWorld, type TrackingWorld } from '../helpers/tracking-world';

/** Behind Shopify's app proxy the page answers only requests Shopify signed; everything else is a plain 404. */
const APP_SECRET = 'shpss_app-proxy-test-secret-0123456789';
let world: TrackingWorld;

beforeAll(async () => {
  world = await startTrackingWorld({ env: { SHOPIFY_APP_PROXY_SECRET: APP_SECRET } });
}, 120_000);
afterAll(async () => world?.close());

const signed = (url: string, secret = APP_SECRET): string => {
  const query: Array<[string, string]> = [['shop', 'casa-aurora.myshopify.com'], ['logged_in_customer_id', ''], ['path_prefix', '/apps/track'], ['timestamp', '1781100000']];
  return `${url}?${new URLSearchParams([...query, ['signature', signAppProxy(query, secret)]]).toString()}`;
};

describe('tracking page behind a Shopify app proxy', () => {
  it('serves a request Shopify signed and refuses an unsigned, forged or tampered one', async () => {
    const page = world.link('#3001');
    expect((await fetch(signed(page))).status).toBe(200);
    expect((await fetch(signed(`${world.base}/track`))).status).toBe(200);
    expect((await fetch(page)).status).toBe(404);
    expect((await fetch(signed(page, 'another-app-secret'))).status).toBe(404);
    expect((await fetch(signed(page).replace('casa-aurora.myshopify.com', 'evil.myshopify.com'))).status).toBe(404);
    // The daemon's own probes are not behind the proxy's signature.
    expect((await fetch(`${world.base}/healthz`)).status).toBe(200);
  });
});
