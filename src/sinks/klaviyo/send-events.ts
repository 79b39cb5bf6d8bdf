/**
 * Event delivery. A bulk 400 names the bad entries by `source.pointer`: those are rejected alone and the rest is
 * sent again. When Klaviyo names nothing we bisect, so one bad event still cannot sink its neighbours.
 */
import type { EventsApi, EventsBulkCreateJob } from 'klaviyo-api';
import { eventsBody, type EventGroup, type EventItem } from './batching';
import { asSdkBody } from './wire-body';
import type { DeliveryCalls } from './dispatcher';
import { emptyOutcome, isRecordLevel, mergeOutcomes, reasonFor, wholeFailure, type Outcome } from './outcome';
import { eventCreateQuery } from './payloads';
import { eventPointer } from './pointers';

export async function sendEvent(dispatcher: DeliveryCalls, api: EventsApi, item: EventItem): Promise<Outcome> {
  try {
    await dispatcher.call('createEvent', () => api.createEvent(eventCreateQuery(item.event)));
    return { ...emptyOutcome(), delivered: [...item.indices] };
  } catch (error) {
    return wholeFailure(error, item.indices);
  }
}

const indicesOf = (groups: readonly EventGroup[]): number[] => groups.flatMap((g) => g.events.flatMap((e) => e.indices));

function without(groups: readonly EventGroup[], drop: ReadonlySet<EventItem>): EventGroup[] {
  return groups
    .map((g) => ({ ...g, events: g.events.filter((e) => !drop.has(e)) }))
    .filter((g) => g.events.length > 0);
}

/** Two halves by event count, keeping each event with its own profile. */
function halves(groups: readonly EventGroup[]): [EventGroup[], EventGroup[]] {
  const flat = groups.flatMap((g) => g.events.map((event) => ({ g, event })));
  const cut = Math.ceil(flat.length / 2);
  const rebuild = (part: typeof flat): EventGroup[] => {
    const byGroup = new Map<EventGroup, EventItem[]>();
    for (const { g, event } of part) byGroup.set(g, [...(byGroup.get(g) ?? []), event]);
    return [...byGroup].map(([g, events]) => ({ ...g, events }));
  };
  return [rebuild(flat.slice(0, cut)), rebuild(flat.slice(cut))];
}

export async function sendEventBatch(dispatcher: DeliveryCalls, api: EventsApi, groups: readonly EventGroup[]): Promise<Outcome> {
  try {
    await dispatcher.call('bulkCreateEvents', () => api.bulkCreateEvents(asSdkBody<EventsBulkCreateJob>(eventsBody(groups))));
    return { ...emptyOutcome(), delivered: indicesOf(groups) };
  } catch (error) {
    if (!isRecordLevel(error)) return wholeFailure(error, indicesOf(groups));
    const blamed = new Map<EventItem, string>();
    for (const entry of error.errors) {
      const at = eventPointer(entry.pointer);
      const group = at === null ? undefined : groups[at.group];
      if (!at || !group) continue;
      const items = at.event === null ? group.events : [group.events[at.event]].filter((e) => e !== undefined);
      for (const item of items) blamed.set(item, reasonFor(error, entry));
    }
    if (blamed.size === 0) {
      if (groups.length === 1 && groups[0].events.length === 1) return wholeFailure(error, indicesOf(groups));
      const [left, right] = halves(groups);
      return mergeOutcomes([await sendEventBatch(dispatcher, api, left), await sendEventBatch(dispatcher, api, right)]);
    }
    const rejected = [...blamed].flatMap(([item, reason]) => item.indices.map((index) => ({ index, reason })));
    const rest = without(groups, new Set(blamed.keys()));
    const retried = rest.length > 0 ? await sendEventBatch(dispatcher, api, rest) : emptyOutcome();
    return mergeOutcomes([{ delivered: [], rejected, pending: [] }, retried]);
  }
}
