import { destinationCalendar } from '../enrichment/delivery/zones';
import { loadTrackingPage } from '../pages/tracking/config';
import { trackingPageRoutes, type TrackingPageDeps } from '../pages/tracking/routes';
import { trackingLinks } from '../pages/tracking/token';
import type { Recommendation } from '../pages/tracking/view';
import { commitUnit } from '../pipeline/commit';
import { recommendationsFor } from '../pipeline/product-signals';
import { isRetired, type ShipmentState } from '../state/shipments';
import type { App } from './app';
import type { HttpRoutes } from './http-server';

/**
 * "Often bought with what you ordered" for an order's parcels. The default is the store's own co-purchase history
 * (pipeline/product-signals.ts): the same list the customer's `ss_recommended_products` carries, so the page and the
 * emails never disagree. Tests may plug in a fixed one.
 */
export type Recommender = (productIds: readonly string[], parcels: readonly ShipmentState[]) => Promise<Recommendation[]>;

/**
 * The branded tracking page's routes for this daemon, reading its state and queueing its metrics in its outbox;
 * null when the page is off. Throws ConfigError for a bad secret or tracking-page.yaml (start-up, not a page view).
 */
export function trackingPageFor(app: App, options: { recommend?: Recommender } = {}): HttpRoutes | null {
  const links = trackingLinks(app.env);
  if (!links) return null;
  const { context } = app;
  const config = loadTrackingPage(app.env.SHIPSIGNAL_CONFIG_DIR);
  const coPurchases: Recommender = async (_productIds, parcels) => {
    const email = parcels[0]?.customerEmail;
    return email ? recommendationsFor(context.store, email, context.settings.products, context.clock.now()) : [];
  };
  const recommend = options.recommend ?? coPurchases;
  const deps: TrackingPageDeps = {
    config,
    mapping: context.settings.mapping,
    storeId: app.storeId,
    keys: links.keys,
    basePath: links.publicUrl.pathname.replace(/\/+$/, ''),
    clock: context.clock,
    parcels: async (orderNumber) => {
      const entry = (await context.shipments.orderParcels([orderNumber])).get(orderNumber);
      if (!entry) return null;
      const found = await context.shipments.shipments(entry.shipmentKeys);
      const parcels = [...found.values()].filter((parcel) => !isRetired(parcel));
      return parcels.length > 0 ? parcels : null;
    },
    segment: async (email) => (await context.customers.getMany([email])).get(email)?.segment ?? null,
    recommendations: (parcels) => {
      const productIds = [...new Set(parcels.flatMap((parcel) => parcel.items.map((item) => item.productId ?? null)).filter((id): id is string => id !== null))];
      return recommend(productIds, parcels);
    },
    zoneOf: (parcel) => destinationCalendar(context.settings.delivery, parcel.destinationCountry, parcel.destinationRegion).zone,
    // Append-only: the outbox log takes concurrent appends, so a page view never waits for the writer lease.
    record: (events) => commitUnit(context, { records: events }),
    appProxySecret: app.env.SHOPIFY_APP_PROXY_SECRET ?? null,
    warn: (message, meta) => context.logger.warn(message, meta),
  };
  return trackingPageRoutes(deps);
}
