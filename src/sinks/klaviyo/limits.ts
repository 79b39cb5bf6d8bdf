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
