import { DOCUMENTED_LIMITS, formatRateLimits, scaleLimits } from '../sinks/klaviyo/limits';
import { bulkMaxima } from './rate-minimum';

/**
 * The store variables that give bench:fleet's workers a scaled-down account's limits, the same ones its sandbox
 * account enforces (none at scale 1: the documented limits and maxima).
 */
export function scaledAccountVariables(limitScale: number, bulkScale: number): Record<string, string> {
  const maxima = bulkMaxima(bulkScale);
  return {
    ...(limitScale > 1 ? { KLAVIYO_RATE_LIMITS: formatRateLimits(scaleLimits(DOCUMENTED_LIMITS, limitScale)) } : {}),
    ...(bulkScale > 1 ? { KLAVIYO_MAX_EVENTS_PER_BULK: String(maxima.events), KLAVIYO_MAX_PROFILES_PER_BULK: String(maxima.profiles) } : {}),
  };
}
