import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHttpServer } from '../../src/daemon/http-server';
import { trackingPageFor, type Recommender } from '../../src/daemon/tracking-page';
import { signToken, trackingLinks } from '../../src/pages/tracking/token';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { TRACKING_NOW, trackingCaseInput } from '../../src/sandbox/tracking-cases';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from './daemon-harness';

/**
 * The tracking page's cases synced through the real pipeline (Shopify and EasyPost sandboxes → state → Klaviyo
 * sandbox), then served by the daemon's HTTP face with the page mounted, behind a trusted local proxy (tests set
 * X-Forwarded-For to act as many visitors).
 */
export const TRACKING_SECRET = 'k1:page-test-secret-0123456789abcdefghij';

export interface TrackingWorld {
  readonly harness: Harness;
  readonly clock: ManualClock;
  readonly base: string;
  link(orderName: string): string;
  close(): Promise<void>;
}

export async function startTrackingWorld(options: { recommend?: Recommender; env?: Record<string, string> } = {}): Promise<TrackingWorld> {
  const clock = new ManualClock(TRACKING_NOW);
  const input = trackingCaseInput();
  const store = new SandboxStore(recordSource(input.orders, 'BRL'), { clock });
  const harness = await startHarness({
    store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', easypost: { listRatePerSecond: false },
    env: {
      SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_BACKFILL: 'false',
      SHIPSIGNAL_PUBLIC_URL: 'https://casa-aurora.example/', SHIPSIGNAL_TRACKING_SECRET: TRACKING_SECRET, ...options.env,
    },
  });
  const easypost = harness.stack.easypost;
  if (!easypost) throw new Error('no EasyPost sandbox');
  for (const parcel of input.parcels) easypost.registerParcel(parcel);
  await harness.app.syncOnce();
  const page = trackingPageFor(harness.app, options.recommend ? { recommend: options.recommend } : {});
  if (!page) throw new Error('tracking page is off');
  const { app } = harness;
  const server: Server = await startHttpServer({ port: 0, host: '127.0.0.1', token: 'ops-token', health: app.health, registry: app.context.metrics.registry, webhooks: {}, routes: [page], trustProxy: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const links = trackingLinks(app.env);
  if (!links) throw new Error('no tracking links');
  return {
    harness,
    clock,
    base,
    link: (orderName) => `${base}/t/${signToken(links.keys, app.storeId, orderName)}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await harness.close();
    },
  };
}
