import type { SandboxEvent, SandboxProfile } from './types';
import type { WireEventAttributes } from './wire';

export interface EventInput {
  readonly attributes: WireEventAttributes;
  readonly profile: SandboxProfile;
  /** Bulk entries carry a backfill flag for all their events; the event's own flag wins. */
  readonly defaultBackfill: boolean;
  readonly via: SandboxEvent['via'];
}

/** Klaviyo stores event times truncated to the second. */
export const truncateToSecond = (iso: string): string => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString();

/**
 * Events with Klaviyo's dedupe: per (profile, metric), the first event with a given unique_id (or, without one, a
 * given second) is kept and later ones are accepted but dropped. Drops are counted so tests can see them.
 */
export class EventStore {
  private readonly events: SandboxEvent[] = [];
  private readonly keys = new Set<string>();
  private dropped = 0;
  /** Klaviyo creates a metric with the first event that names it, and only then (next-capabilities.md §2.2). */
  private readonly metricList: Array<{ readonly id: string; readonly name: string; readonly created: string }> = [];
  private readonly metricNames = new Set<string>();
  /** Stored events per metric name: what a benchmark polls, without copying every event each time. */
  private readonly perMetric = new Map<string, number>();

  add(input: EventInput, now: Date): 'stored' | 'duplicate' {
    const { attributes, profile } = input;
    const time = truncateToSecond(attributes.time ?? now.toISOString());
    const metric = attributes.metric.data.attributes.name;
    const uniqueId = attributes.unique_id ?? null;
    if (!this.metricNames.has(metric)) {
      this.metricNames.add(metric);
      this.metricList.push({ id: `MET${String(this.metricList.length + 1).padStart(3, '0')}`, name: metric, created: now.toISOString() });
    }
    const key = JSON.stringify([profile.id, metric, uniqueId === null ? `time:${time}` : `id:${uniqueId}`]);
    if (this.keys.has(key)) {
      this.dropped += 1;
      return 'duplicate';
    }
    this.keys.add(key);
    this.perMetric.set(metric, (this.perMetric.get(metric) ?? 0) + 1);
    this.events.push({
      id: `evt_${String(this.events.length + 1).padStart(8, '0')}`,
      metric,
      profileId: profile.id,
      profile: { email: profile.email, phoneNumber: profile.phoneNumber, externalId: profile.externalId },
      properties: structuredClone(attributes.properties),
      time,
      value: attributes.value ?? null,
      valueCurrency: attributes.value_currency ?? null,
      uniqueId,
      backfill: attributes.backfill ?? input.defaultBackfill,
      via: input.via,
      receivedAt: now.toISOString(),
    });
    return 'stored';
  }

  /** Copies of the first `limit` events received (all by default). */
  all(limit = Infinity): SandboxEvent[] {
    return this.events.slice(0, limit).map((event) => structuredClone(event));
  }

  /** Metrics in the order of their first event. */
  metrics(): ReadonlyArray<{ readonly id: string; readonly name: string; readonly created: string }> {
    return this.metricList;
  }

  get size(): number {
    return this.events.length;
  }

  countsByMetric(): Record<string, number> {
    return Object.fromEntries(this.perMetric);
  }

  get duplicatesDropped(): number {
    return this.dropped;
  }

  clear(): void {
    this.events.length = 0;
    this.perMetric.clear();
    this.keys.clear();
    this.dropped = 0;
    this.metricList.length = 0;
    this.metricNames.clear();
  }
}
