/**
 * Klaviyo's documented per-endpoint limits (spec 2026-07-15, `x-klaviyo-ratelimit`, and the bulk endpoint
 * descriptions). Rate limits are per account and differ between accounts, so every number is overridable.
 */
export const ENDPOINTS = ['createEvent', 'bulkCreateEvents', 'profileImport', 'bulkImportProfiles', 'jobStatus'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export interface RateLimit {
  /** Requests per 1-second window. */
  readonly burst: number;
  /** Requests per 60-second window. */
  readonly steady: number;
}

export type EndpointLimits = Readonly<Record<Endpoint, RateLimit>>;

export const DOCUMENTED_LIMITS: EndpointLimits = {
  createEvent: { burst: 350, steady: 3500 },
  bulkCreateEvents: { burst: 10, steady: 150 },
  profileImport: { burst: 75, steady: 750 },
  bulkImportProfiles: { burst: 10, steady: 150 },
  jobStatus: { burst: 10, steady: 150 },
};

export interface PayloadLimits {
  readonly maxEventsPerBulk: number;
  readonly maxProfilesPerBulk: number;
  /** Decompressed request body, bytes. */
  readonly maxRequestBytes: number;
  readonly maxProfileBytes: number;
}

export const DOCUMENTED_PAYLOAD_LIMITS: PayloadLimits = {
  maxEventsPerBulk: 1_000,
  maxProfilesPerBulk: 10_000,
  // Klaviyo says "5 MB" without saying which; the decimal reading is the safe one.
  maxRequestBytes: 5_000_000,
  maxProfileBytes: 100 * 1024,
};

export function resolveLimits(overrides: Partial<EndpointLimits> = {}): EndpointLimits {
  const limits = { ...DOCUMENTED_LIMITS, ...overrides };
  for (const endpoint of ENDPOINTS) {
    const { burst, steady } = limits[endpoint];
    if (!(Number.isInteger(burst) && burst > 0 && Number.isInteger(steady) && steady > 0)) {
      throw new RangeError(`limits.${endpoint}: expected positive integer burst and steady, got ${burst}/${steady}`);
    }
  }
  return limits;
}

/**
 * An account's limits divided by `divisor` (each window at least one request): what `bench:fleet --limit-scale`
 * gives every store's account, in the sandbox and in the client alike, so a small store's backfill is bound by its
 * own account's limits the way a large one's is by the documented ones.
 */
export function scaleLimit(limit: RateLimit, divisor: number): RateLimit {
  if (!(Number.isInteger(divisor) && divisor >= 1)) throw new RangeError(`expected a positive integer divisor, got ${divisor}`);
  return { burst: Math.max(1, Math.floor(limit.burst / divisor)), steady: Math.max(1, Math.floor(limit.steady / divisor)) };
}

export function scaleLimits(limits: EndpointLimits, divisor: number): EndpointLimits {
  return Object.fromEntries(ENDPOINTS.map((endpoint) => [endpoint, scaleLimit(limits[endpoint], divisor)])) as unknown as EndpointLimits;
}

/**
 * `KLAVIYO_RATE_LIMITS`: an account's own limits where they differ from the documented ones, as
 * `endpoint=burst/steady` pairs separated by commas (e.g. `bulkCreateEvents=5/75,jobStatus=5/75`). Every problem is
 * named, with the endpoints allowed.
 */
export function parseRateLimits(text: string): { readonly limits: Partial<EndpointLimits>; readonly problems: string[] } {
  const limits: Partial<Record<Endpoint, RateLimit>> = {};
  const problems: string[] = [];
  for (const pair of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const match = /^(\w+)=(\d+)\/(\d+)$/.exec(pair);
    const endpoint = match?.[1] as Endpoint | undefined;
    if (!match || !endpoint) problems.push(`"${pair}": expected endpoint=burst/steady, e.g. bulkCreateEvents=10/150`);
    else if (!(ENDPOINTS as readonly string[]).includes(endpoint)) problems.push(`"${pair}": unknown endpoint ${endpoint} (allowed: ${ENDPOINTS.join(', ')})`);
    else if (limits[endpoint]) problems.push(`"${pair}": ${endpoint} given twice`);
    else if (Number(match[2]) < 1 || Number(match[3]) < 1) problems.push(`"${pair}": burst and steady must be at least 1`);
    else limits[endpoint] = { burst: Number(match[2]), steady: Number(match[3]) };
  }
  return { limits, problems };
}

export function formatRateLimits(limits: Partial<EndpointLimits>): string {
  return ENDPOINTS.flatMap((endpoint) => {
    const limit = limits[endpoint];
    return limit ? [`${endpoint}=${limit.burst}/${limit.steady}`] : [];
  }).join(',');
}
