import { DateTime } from 'luxon';
import { isPublicHoliday } from './holidays';

/**
 * Where business time is counted: a destination's time zone and holiday country. A business day is a local
 * calendar day that is neither Saturday, Sunday nor a public holiday there; each counts as one whole day
 * whatever its length in hours (DST days included).
 */
export interface BusinessCalendar {
  readonly zone: string;
  readonly country: string | null;
}

interface LocalDay {
  readonly startMs: number;
  readonly endMs: number;
  readonly business: boolean;
}

const DAY_MS = 86_400_000;
/** Enough to step over any run of weekends and holidays; guards against an invalid zone looping forever. */
const MAX_DAYS_SCANNED = 20_000;

/**
 * Local days overlapping each UTC day, per zone and holiday country. A store's parcels span a few years of days in
 * a few zones, so this holds thousands of small entries whatever the number of orders; the cap only guards a
 * long-running daemon against unbounded growth. Keyed by numbers in nested maps: no string built per lookup.
 */
const MAX_CACHED_UTC_DAYS = 50_000;
const dayCache = new Map<string, Map<string, Map<number, readonly LocalDay[]>>>();
let cachedUtcDays = 0;

function computeLocalDay(instantMs: number, calendar: BusinessCalendar): LocalDay {
  const local = DateTime.fromMillis(instantMs, { zone: calendar.zone });
  if (!local.isValid) throw new RangeError(`unknown time zone: ${calendar.zone}`);
  const start = local.startOf('day');
  const next = start.plus({ days: 1 });
  return {
    startMs: start.toMillis(),
    endMs: next.toMillis(),
    business: start.weekday <= 5 && !isPublicHoliday(calendar.country, local.toISODate() as string),
  };
}

function daysOverlapping(utcDay: number, calendar: BusinessCalendar): readonly LocalDay[] {
  let byCountry = dayCache.get(calendar.zone);
  if (!byCountry) dayCache.set(calendar.zone, (byCountry = new Map()));
  let byDay = byCountry.get(calendar.country ?? '');
  if (!byDay) byCountry.set(calendar.country ?? '', (byDay = new Map()));
  const cached = byDay.get(utcDay);
  if (cached) return cached;
  const days = [computeLocalDay(utcDay * DAY_MS, calendar)];
  while (days[days.length - 1].endMs < (utcDay + 1) * DAY_MS) days.push(computeLocalDay(days[days.length - 1].endMs, calendar));
  if (cachedUtcDays >= MAX_CACHED_UTC_DAYS) {
    dayCache.clear();
    cachedUtcDays = 0;
  }
  byDay.set(utcDay, days);
  cachedUtcDays += 1;
  return days;
}

function localDay(instantMs: number, calendar: BusinessCalendar): LocalDay {
  const days = daysOverlapping(Math.floor(instantMs / DAY_MS), calendar);
  for (const day of days) if (instantMs < day.endMs) return day;
  return computeLocalDay(instantMs, calendar);
}

/** Business days (fractional) elapsed from `from` to `to`; 0 when `to` is not after `from`. */
export function businessDaysBetween(from: Date, to: Date, calendar: BusinessCalendar): number {
  const end = to.getTime();
  let cursor = from.getTime();
  let days = 0;
  for (let guard = 0; cursor < end && guard < MAX_DAYS_SCANNED; guard++) {
    const day = localDay(cursor, calendar);
    const stop = Math.min(end, day.endMs);
    if (day.business) days += (stop - cursor) / (day.endMs - day.startMs);
    cursor = day.endMs;
  }
  return days;
}

export const businessHoursBetween = (from: Date, to: Date, calendar: BusinessCalendar): number =>
  businessDaysBetween(from, to, calendar) * 24;

/**
 * The earliest instant at which `days` business days have elapsed since `from`: the inverse of
 * businessDaysBetween. Adding 0 returns `from` itself.
 */
export function addBusinessDays(from: Date, days: number, calendar: BusinessCalendar): Date {
  let cursor = from.getTime();
  let left = Math.max(0, days);
  if (left === 0) return new Date(cursor);
  for (let guard = 0; guard < MAX_DAYS_SCANNED; guard++) {
    const day = localDay(cursor, calendar);
    if (day.business) {
      const length = day.endMs - day.startMs;
      const available = (day.endMs - cursor) / length;
      if (left <= available) return new Date(cursor + left * length);
      left -= available;
    }
    cursor = day.endMs;
  }
  return new Date(cursor + left * DAY_MS);
}

/** The end of the local calendar day holding `instant`: promises and carrier estimates name days, not instants. */
export function endOfLocalDay(instant: Date, zone: string): Date {
  return new Date(localDay(instant.getTime(), { zone, country: null }).endMs);
}
