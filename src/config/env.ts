import cron from 'node-cron';
import { z } from 'zod';
import { ConfigError, describeIssues } from './yaml-file';

/**
 * Every environment variable shipsignal reads, with its default. `.env.example` documents the same list.
 * Empty strings count as unset, so `FOO=` in an env file means "use the default".
 */
const optionalUrl = z.url({ message: 'expected a URL such as http://127.0.0.1:4010' }).optional();
const optionalText = z.string().min(1).optional();
const cronExpression = z.string().refine((value) => cron.validate(value), { message: 'not a valid cron expression (five or six fields, e.g. */5 * * * *)' });

export const envSchema = z.object({
  SHIPSIGNAL_STATE_URL: z
    .string()
    .regex(/^(sqlite|redis|rediss|postgres|postgresql):\/\//, 'expected sqlite://PATH, redis://… or postgres://…')
    .default('sqlite://./.state/shipsignal.sqlite'),
  SHIPSIGNAL_CONFIG_DIR: z.string().default('config'),
  SHIPSIGNAL_MAPPINGS_DIR: z.string().default('mappings'),
  SHIPSIGNAL_LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  SHIPSIGNAL_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SHIPSIGNAL_HTTP_TOKEN: optionalText,
  // The reverse proxies in front of the HTTP server (addresses/CIDRs, comma-separated, or `true`): per-IP limits then
  // use X-Forwarded-For. Unset: the connection's address (a caller cannot pick its own).
  SHIPSIGNAL_TRUST_PROXY: z.string().regex(/^(true|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, 'expected true or comma-separated addresses/CIDRs such as 127.0.0.1,10.0.0.0/8').optional(),
  // The branded tracking page is on when both are set: the page's public address (behind the store's proxy) and
  // the link-signing secret(s), `id:secret` pairs (the first signs; all verify, for rotation).
  SHIPSIGNAL_PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'expected the public URL the page is reached at, such as https://shop.example.com/apps/track' }).optional(),
  SHIPSIGNAL_TRACKING_SECRET: optionalText,
  SHIPSIGNAL_STORE_ID: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'expected 1-100 characters of a-z 0-9 . _ -, starting with a letter or digit').optional(),
  SHIPSIGNAL_SYNC_CRON: cronExpression.default('*/5 * * * *'),
  SHIPSIGNAL_REVIEW_CRON: cronExpression.default('17 * * * *'),
  // One schedule per job; unset, orders/trackers/drain follow SYNC_CRON and reviews follow REVIEW_CRON.
  SHIPSIGNAL_ORDERS_CRON: cronExpression.optional(),
  SHIPSIGNAL_TRACKERS_CRON: cronExpression.optional(),
  SHIPSIGNAL_REVIEWS_CRON: cronExpression.optional(),
  SHIPSIGNAL_DRAIN_CRON: cronExpression.optional(),
  SHIPSIGNAL_LEASE_TTL_MS: z.coerce.number().int().min(1000).default(60_000),
  SHIPSIGNAL_LIVE_CUTOFF_HOURS: z.coerce.number().positive().default(72),
  SHIPSIGNAL_BACKFILL: z.enum(['flag', 'skip']).default('flag'),
  SHIPSIGNAL_NOW: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 instant such as 2018-10-01T00:00:00Z' }).optional(),
  // auto: the daemon runs `shipsignal setup` for what is still missing or waiting, after syncs that delivered events.
  SHIPSIGNAL_SETUP: z.enum(['off', 'auto']).default('off'),
  SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(25_000),

  SHOPIFY_STORE_DOMAIN: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'expected <shop>.myshopify.com').optional(),
  SHOPIFY_ACCESS_TOKEN: optionalText,
  SHOPIFY_BASE_URL: optionalUrl,
  SHOPIFY_WEBHOOK_SECRET: optionalText,
  // The app's secret when the tracking page is served through a Shopify app proxy: requests must carry its signature.
  SHOPIFY_APP_PROXY_SECRET: optionalText,
  SHOPIFY_PAGE_SIZE: z.coerce.number().int().min(1).max(15, 'at most 15: larger pages exceed Shopify\'s 1,000-point query cost limit').default(15),
  SHOPIFY_BULK_BACKFILL: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  SHOPIFY_BULK_MIN_CHANGES: z.coerce.number().int().min(0).default(250),

  WOOCOMMERCE_URL: optionalUrl,
  WOOCOMMERCE_CONSUMER_KEY: optionalText,
  WOOCOMMERCE_CONSUMER_SECRET: optionalText,
  WOOCOMMERCE_WEBHOOK_SECRET: optionalText,

  KLAVIYO_API_KEY: optionalText,
  KLAVIYO_BASE_URL: z.url().default('https://a.klaviyo.com'),
  KLAVIYO_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  // An account's own rate limits where they differ from the documented ones (limits differ between accounts):
  // `endpoint=burst/steady` pairs; the endpoint names are checked where the sink's limits are (compose.ts).
  KLAVIYO_RATE_LIMITS: z.string().regex(/^\s*\w+=\d+\/\d+\s*(,\s*\w+=\d+\/\d+\s*)*$/, 'expected endpoint=burst/steady pairs separated by commas, e.g. bulkCreateEvents=10/150').optional(),
  // Smaller bulk requests than Klaviyo's maxima (1,000 events a request, 10,000 profiles a job), never larger.
  KLAVIYO_MAX_EVENTS_PER_BULK: z.coerce.number().int().min(1).max(1_000).optional(),
  KLAVIYO_MAX_PROFILES_PER_BULK: z.coerce.number().int().min(1).max(10_000).optional(),

  EASYPOST_API_KEY: optionalText,
  EASYPOST_BASE_URL: optionalUrl,
  EASYPOST_WEBHOOK_SECRET: optionalText,
});

export type Env = z.output<typeof envSchema>;

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const relevant = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((key) => [key, source[key]])
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeIssues(`environment ${String(issue.path[0])}`, [{ ...issue, path: [] }])[0]));
  }
  return parsed.data;
}
