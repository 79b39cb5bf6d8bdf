/**
 * Every state key, in one place. Keys here are relative: the store prefixes each with its namespace
 * (`<namespace>:<key>`), so two stores sharing one Redis or PostgreSQL never see each other's state. The layout is
 * the one earlier versions wrote, so existing state reads back unchanged.
 */
export const DEFAULT_NAMESPACE = 'shipsignal';

/** Where a source resumes: its own opaque JSON value, per source name (`shopify`, `woocommerce`, `easypost`...). */
export const orderCursorKey = (source: string): string => `cursor:${source}:orders`;
export const trackingCursorKey = (source: string): string => `cursor:${source}:trackers`;

/** Set while a first backfill has read orders but not yet assessed every customer; survives a crash. */
export const BACKFILL_PENDING_KEY = 'backfill:reassess-pending';
/** Store-wide lifecycle statistics and the fitted churn model. */
export const STATS_KEY = 'stats:lifecycle';
/** The learned transit-time model of completed deliveries. */
export const TRANSIT_MODEL_KEY = 'delivery:transit-model';
/** Held customers by rule (`HoldCounts`), saved in the same write as the delivery profiles whose hold changed. */
export const HOLD_COUNTS_KEY = 'delivery:hold-counts';

/** `shipsignal setup`: the destination id of one provisioned segment or flow, by our declared name. */
export const provisionedKey = (kind: 'segment' | 'flow', name: string): string => `setup:${kind}:${name}`;
/**
 * `shipsignal setup`: what one object looked like right after setup created it (`{ id, status, definition }`), so
 * doctor can tell an object edited in the destination since from one left as created.
 */
export const provisionedSnapshotKey = (kind: 'segment' | 'flow', name: string): string => `setup:snapshot:${kind}:${name}`;
/** `shipsignal setup`: creates of one kind on one UTC day (the destination caps flow and segment creates daily). */
export const provisionDailyKey = (kind: 'segment' | 'flow', day: string): string => `setup:daily:${kind}:${day}`;

export const customerKey = (key: string): string => `customer:${key}`;
/** What the store learnt about one product (co-purchases, re-purchase gaps), folded from the lessons' journal (state/products.ts). */
export const productStatsKey = (productId: string): string => `product:${productId}`;
/** One category's pooled re-purchase gaps (the back-off for thin products) and best sellers. */
export const categoryStatsKey = (category: string): string => `product-category:${category}`;
/**
 * A token rewritten by every commit that journals or folds product lessons: a process that finds the token it last
 * saw knows its decoded copies of those rows (and of the journal over them) are still what state holds.
 */
export const PRODUCT_STATS_GENERATION_KEY = 'product-generation';

/**
 * Outcomes (/status, `shipsignal report`): per customer, the facts every outcome counter sums (`outcomes/facts.ts`);
 * the counters per UTC day (`YYYY-MM-DD`) and over all time. Written only by the durability commit, with the change.
 */
export const outcomeFactsKey = (customer: string): string => `outcome:facts:${customer}`;
export const outcomeDayKey = (day: string): string => `outcome:day:${day}`;
export const OUTCOME_TOTALS_KEY = 'outcome:totals';
export const shipmentKey = (key: string): string => `shipment:${key}`;
export const trackingCodeKey = (code: string): string => `tracking:${code}`;
export const deliveryProfileKey = (email: string): string => `delivery-profile:${email}`;
/**
 * An order number as customers type it: `#1001`, ` 1001 ` and `#1001` are one order (Shopify's `#` prefix and
 * WooCommerce's bare number alike), compared case-insensitively.
 */
export const normalizeOrderNumber = (name: string): string => name.trim().replace(/^#\s*/, '').toLowerCase();
/** The parcels of one order by its number (the tracking page's lookup and links): `OrderParcelsEntry`. */
export const orderParcelsKey = (orderName: string): string => `order-parcels:${normalizeOrderNumber(orderName)}`;
/**
 * A customer's return parcel by tracking code: `{ email, orderId, trackerId }`. The direction is ours to store
 * (EasyPost cannot tell a customer return from an outbound parcel); tracker updates for the code go to the return.
 */
export const returnParcelKey = (code: string): string => `return-parcel:${code}`;
/** An order with returns or refunds, to its customer's email: a return webhook naming an order not here is rejected. */
export const returnOrderKey = (orderId: string): string => `return-order:${orderId}`;

/** Durable logs (each `<log>:tail`, `<log>:head`, `<log>:batch:<seq>`). */
export const LOGS = {
  /** The events lane keeps the outbox's original name: an outbox written before the split drains from there. */
  outboxEvents: 'outbox',
  outboxProfiles: 'outbox-profiles',
  rejects: 'rejects',
  customerIndex: 'customer-index',
  /** Product lessons committed with their pages but not yet folded into the statistics rows (state/products.ts). */
  productLessons: 'product-lessons',
} as const;

export const logTailKey = (log: string): string => `${log}:tail`;
export const logHeadKey = (log: string): string => `${log}:head`;
export const logBatchKey = (log: string, seq: number): string => `${log}:batch:${seq}`;
/** When batches from a sequence number on were appended (`[{seq, at}]`): the age of a log's oldest waiting batch. */
export const logMarksKey = (log: string): string => `${log}:marks`;

/** Day-bucketed indexes (`<index>:cursor`, one log per day `<index>:<day>`). */
export const INDEXES = { reviews: 'review', shipmentChecks: 'shipment-check' } as const;

/** Job leases; SQL backends keep them in their own table under `<namespace>:<name>`, Redis under this key. */
export const LEASES = { sync: 'sync', review: 'review', drain: 'drain' } as const;
export const leaseKey = (name: string): string => `lease:${name}`;

/** Kept for callers written before per-source cursors: Shopify's orders and EasyPost's trackers. */
export const ORDERS_CURSOR_KEY = orderCursorKey('shopify');
export const TRACKERS_CURSOR_KEY = trackingCursorKey('easypost');

const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/**
 * A namespace may not hold ':' (the key separator: namespace `a` with key `b:c` would be namespace `a:b` with key
 * `c`), nor anything a shell, a URL or a Redis pattern treats specially.
 */
export function assertNamespace(namespace: string): string {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(`state namespace "${namespace}" is not allowed: 1-100 characters of a-z 0-9 . _ -, starting with a letter or digit`);
  }
  return namespace;
}

/**
 * A store id (the default namespace) from a store's domain or URL: `My-Shop.myshopify.com`,
 * `https://shop.example.com/wp/` and `shop.example.com` give the lowercase host; a port is kept (`localhost-8443`)
 * since two local stores differ only by it. Throws when nothing usable is left.
 */
export function storeIdFrom(domainOrUrl: string): string {
  const text = domainOrUrl.trim();
  let host: string;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    host = url.port ? `${url.hostname}-${url.port}` : url.hostname;
  } catch {
    throw new Error(`cannot derive a store id from "${domainOrUrl}": not a domain or URL`);
  }
  const id = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (!NAMESPACE_PATTERN.test(id)) throw new Error(`cannot derive a store id from "${domainOrUrl}": "${id}" is not a valid store id`);
  return id;
}

/**
 * A fleet's Redis keys beside BullMQ's own (`<fleet>:jobs:…`): one account's shared rate windows per endpoint, and
 * each store's last job outcomes for the fleet view. Everything of one fleet starts with its name.
 */
export const fleetKeys = {
  windows: (fleet: string, account: string, endpoint: string): string => `${fleet}:windows:${account}:${endpoint}`,
  costBucket: (fleet: string, shop: string): string => `${fleet}:bucket:${shop}`,
  status: (fleet: string, storeId: string): string => `${fleet}:status:${storeId}`,
} as const;
