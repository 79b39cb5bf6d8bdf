import type { EndpointLimits, RateLimit } from '../sinks/klaviyo/limits';

/**
 * The least time Klaviyo's documented limits allow for `requests` requests to one endpoint: windows aligned with
 * the first request, each 60-second window filled to its steady limit at the burst rate, the last request starting
 * at the returned second. Requests to different endpoints count against separate limits, so they overlap.
 */
export function endpointMinimumSeconds(requests: number, limit: RateLimit): number {
  if (requests <= 0) return 0;
  // A minute holds at most 60 bursts, whatever the steady limit says.
  const perMinute = Math.min(limit.steady, 60 * limit.burst);
  const fullMinutes = Math.floor((requests - 1) / perMinute);
  const rest = requests - 1 - fullMinutes * perMinute;
  return fullMinutes * 60 + Math.floor(rest / limit.burst);
}

export function minimumSeconds(requests: Readonly<Record<string, number>>, limits: EndpointLimits): number {
  let longest = 0;
  for (const [endpoint, count] of Object.entries(requests)) {
    const limit = (limits as Readonly<Record<string, RateLimit>>)[endpoint];
    if (limit) longest = Math.max(longest, endpointMinimumSeconds(count, limit));
  }
  return longest;
}
