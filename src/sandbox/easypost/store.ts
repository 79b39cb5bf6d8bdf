import type { ShipmentStatus } from '../../model/shipment';
import { pageOf, type Listable, type ListQuery } from './paging';
import { renderTracker, sortedScript, visibleFingerprint, type ParcelScript, type TrackerRecord } from './parcels';
import { randomHex, type Random } from '../../util/prng';
import { TEST_CODE_STATUS, TEST_MODE_ONLY_MESSAGE, testCodeScript } from './test-codes';
import type {
  EventDescription, EventJson, EventListItemJson, EventStatus, Mode, TrackerJson, WebhookEventJson,
} from './wire';

interface StoredTracker extends TrackerRecord, Listable {
  fingerprint: string;
  lastStatus: ShipmentStatus;
  lastStatusDetail: string;
}

interface StoredEvent extends Listable {
  readonly mode: Mode;
  readonly description: EventDescription;
  readonly previousAttributes: Record<string, string | null>;
  /** The tracker as it was when the event happened; only webhooks carry it. */
  readonly result: TrackerJson;
  status: EventStatus;
  pendingUrls: string[];
  completedUrls: string[];
  updatedAt: Date;
}

export type CreateOutcome =
  | { readonly kind: 'created' | 'existing'; readonly tracker: TrackerJson; readonly event: WebhookEventJson | null }
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string; readonly field: string | null };

export interface TrackerFilter {
  readonly trackingCode: string | null;
  readonly carrier: string | null;
}

/** The sandbox's data: trackers, their scripted histories and the events they produced. No I/O. */
export class EasyPostStore {
  private readonly parcels = new Map<string, ParcelScript>();
  private readonly trackers: StoredTracker[] = [];
  private readonly trackersById = new Map<string, StoredTracker>();
  private readonly trackersByKey = new Map<string, StoredTracker>();
  private readonly events: StoredEvent[] = [];
  private readonly eventsById = new Map<string, StoredEvent>();
  private seq = 0;
  private readonly userId: string;

  constructor(private readonly random: Random) {
    this.userId = `user_${randomHex(random, 16)}`;
  }

  registerParcel(script: ParcelScript): void {
    this.parcels.set(script.trackingCode, sortedScript(script));
  }

  /**
   * EasyPost's create: a second create for the same code and carrier returns the original tracker. A test-mode key
   * tracks only EasyPost's seven test codes (any other code is refused, registered or not, as EasyPost refuses real
   * codes in test mode); registered parcels are for production-mode keys.
   */
  createTracker(mode: Mode, trackingCode: string, carrier: string | null, now: Date): CreateOutcome {
    if (mode === 'test' && TEST_CODE_STATUS[trackingCode] === undefined) {
      return { kind: 'rejected', code: 'TRACKER.CREATE.ERROR', message: TEST_MODE_ONLY_MESSAGE, field: null };
    }
    const registered = mode === 'production' ? this.parcels.get(trackingCode) : undefined;
    const parcel = registered && (carrier === null || sameCarrier(carrier, registered.carrier)) ? registered : null;
    const resolvedCarrier = parcel?.carrier ?? carrier ?? (TEST_CODE_STATUS[trackingCode] ? 'USPS' : null);
    if (resolvedCarrier === null) {
      return { kind: 'rejected', code: 'TRACKER.NO_CARRIER_FOR_CODE', message: 'Unable to determine carrier for the tracking code.', field: 'carrier' };
    }
    const key = `${mode}|${trackingCode}|${resolvedCarrier.toUpperCase()}`;
    const existing = this.trackersByKey.get(key);
    if (existing) return { kind: 'existing', tracker: renderTracker(existing, now), event: null };

    // Production: a code nobody registered is a real code the carrier has said nothing about yet (`unknown`).
    const script: ParcelScript | null = mode === 'test'
      ? testCodeScript(trackingCode, resolvedCarrier, now)
      : parcel ?? { trackingCode, carrier: resolvedCarrier, scans: [] };
    if (!script) return { kind: 'rejected', code: 'TRACKER.CREATE.ERROR', message: TEST_MODE_ONLY_MESSAGE, field: null };

    const record: TrackerRecord = {
      id: `trk_${randomHex(this.random, 16)}`, mode, trackingCode, carrier: resolvedCarrier, createdAt: now, script,
    };
    const tracker = renderTracker(record, now);
    const stored: StoredTracker = {
      ...record,
      seq: this.seq++,
      fingerprint: visibleFingerprint(record, now),
      lastStatus: tracker.status,
      lastStatusDetail: tracker.status_detail,
    };
    this.trackers.push(stored);
    this.trackersById.set(stored.id, stored);
    this.trackersByKey.set(key, stored);
    const event = this.recordEvent(mode, 'tracker.created', {}, tracker, now);
    return { kind: 'created', tracker, event };
  }

  retrieveTracker(mode: Mode, id: string, now: Date): TrackerJson | null {
    const stored = this.trackersById.get(id);
    return stored && stored.mode === mode ? renderTracker(stored, now) : null;
  }

  listTrackers(mode: Mode, query: ListQuery, filter: TrackerFilter, now: Date): { trackers: TrackerJson[]; has_more: boolean } {
    const candidates = this.trackers.filter((t) => t.mode === mode
      && (filter.trackingCode === null || t.trackingCode === filter.trackingCode)
      && (filter.carrier === null || sameCarrier(t.carrier, filter.carrier)));
    const anchor = this.trackersById.get(query.beforeId ?? query.afterId ?? '') ?? null;
    const { page, hasMore } = pageOf(candidates, query, anchor);
    return { trackers: page.map((t) => renderTracker(t, now)), has_more: hasMore };
  }

  /**
   * Records a `tracker.updated` event for every tracker whose visible state changed since it was last looked at
   * here. `previous_attributes` always names the previous status, as EasyPost's webhook bodies do.
   */
  advance(now: Date): WebhookEventJson[] {
    const fresh: WebhookEventJson[] = [];
    for (const stored of this.trackers) {
      const fingerprint = visibleFingerprint(stored, now);
      if (fingerprint === stored.fingerprint) continue;
      const tracker = renderTracker(stored, now);
      const previous: Record<string, string | null> = { status: stored.lastStatus };
      if (tracker.status_detail !== stored.lastStatusDetail) previous.status_detail = stored.lastStatusDetail;
      stored.fingerprint = fingerprint;
      stored.lastStatus = tracker.status;
      stored.lastStatusDetail = tracker.status_detail;
      fresh.push(this.recordEvent(stored.mode, 'tracker.updated', previous, tracker, now));
    }
    return fresh;
  }

  listEvents(mode: Mode, query: ListQuery): { events: EventListItemJson[]; has_more: boolean } {
    const anchor = this.eventsById.get(query.beforeId ?? query.afterId ?? '') ?? null;
    const { page, hasMore } = pageOf(this.events.filter((e) => e.mode === mode), query, anchor);
    return { events: page.map((e) => this.eventListItem(e)), has_more: hasMore };
  }

  retrieveEvent(mode: Mode, id: string): EventJson | null {
    const stored = this.eventsById.get(id);
    return stored && stored.mode === mode ? this.eventJson(stored) : null;
  }

  webhookEvent(id: string): WebhookEventJson | null {
    const stored = this.eventsById.get(id);
    return stored ? { ...this.eventJson(stored), result: stored.result } : null;
  }

  /** Marks an event's webhook deliveries done, as EasyPost moves URLs from pending to completed. */
  settleEvent(id: string, landed: readonly string[], failed: readonly string[], now: Date): void {
    const stored = this.eventsById.get(id);
    if (!stored) return;
    stored.completedUrls = [...new Set([...stored.completedUrls, ...landed])];
    stored.pendingUrls = stored.pendingUrls.filter((url) => !landed.includes(url) && !failed.includes(url));
    stored.status = failed.length > 0 ? 'failed' : 'completed';
    stored.updatedAt = now;
  }

  setPendingUrls(id: string, urls: readonly string[]): void {
    const stored = this.eventsById.get(id);
    if (stored) stored.pendingUrls = [...urls];
  }

  get trackerCount(): number {
    return this.trackers.length;
  }

  private recordEvent(
    mode: Mode, description: EventDescription, previous: Record<string, string | null>, result: TrackerJson, now: Date,
  ): WebhookEventJson {
    const stored: StoredEvent = {
      id: `evt_${randomHex(this.random, 16)}`,
      createdAt: now,
      seq: this.seq++,
      mode,
      description,
      previousAttributes: previous,
      result,
      status: 'pending',
      pendingUrls: [],
      completedUrls: [],
      updatedAt: now,
    };
    this.events.push(stored);
    this.eventsById.set(stored.id, stored);
    return { ...this.eventJson(stored), result };
  }

  private eventListItem(e: StoredEvent): EventListItemJson {
    return {
      description: e.description, id: e.id, user_id: this.userId, status: e.status,
      created_at: e.createdAt.toISOString(), mode: e.mode, object: 'Event',
    };
  }

  private eventJson(e: StoredEvent): EventJson {
    return {
      ...this.eventListItem(e),
      previous_attributes: { ...e.previousAttributes },
      pending_urls: [...e.pendingUrls],
      completed_urls: [...e.completedUrls],
      updated_at: e.updatedAt.toISOString(),
    };
  }
}

function sameCarrier(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}
