import { createHash } from 'node:crypto';

/**
 * Deterministic event ids: the same real-world change always produces the same id, so Klaviyo's
 * (profile, metric, unique_id) dedupe turns every replay, retry and restart into a no-op. Hashed to keep emails out
 * of ids and lengths bounded; the readable prefix helps when reading Klaviyo's activity feed.
 */
export function uniqueId(prefix: string, ...parts: ReadonlyArray<string | number>): string {
  const digest = createHash('sha256').update(parts.join('\u001f')).digest('base64url').slice(0, 27);
  return `${prefix}-${digest}`;
}
