import { DateTime } from 'luxon';

/**
 * Wall-clock time in a zone to epoch ms. Offsets are looked up once per zone and local day, or per hour on the days
 * a DST change happens (luxon is exact but slow, and the seeds parse tens of thousands of timestamps); a DST gap
 * or overlap resolves as luxon does.
 */
const offsets = new Map<string, number | null>();

function offsetAt(zone: string, year: number, month: number, day: number, hour: number): number | null {
  const at = DateTime.fromObject({ year, month, day, hour }, { zone });
  return at.isValid ? at.toMillis() - Date.UTC(year, month - 1, day, hour) : null;
}

export function zonedMillis(zone: string, year: number, month: number, day: number, hour: number, minute: number, second: number): number | null {
  const dayKey = `${zone}|${year}-${month}-${day}`;
  let offset = offsets.get(dayKey);
  if (offset === undefined) {
    const start = offsetAt(zone, year, month, day, 0);
    offset = start !== null && start === offsetAt(zone, year, month, day, 23) ? start : null;
    offsets.set(dayKey, offset);
  }
  if (offset === null) {
    const hourKey = `${dayKey}-${hour}`;
    offset = offsets.get(hourKey) ?? null;
    if (offset === null) {
      offset = offsetAt(zone, year, month, day, hour);
      if (offset === null) return null;
      offsets.set(hourKey, offset);
    }
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) + offset;
}

/** `YYYY-MM-DD HH:MM:SS` (Olist). */
export function parseIsoLocal(text: string, zone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  return m ? zonedMillis(zone, +m[1], +m[2], +m[3], +m[4], +m[5], +m[6]) : null;
}

/** `M/D/YYYY H:MM` (UCI Online Retail). */
export function parseUsLocal(text: string, zone: string): number | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})$/.exec(text);
  return m ? zonedMillis(zone, +m[3], +m[1], +m[2], +m[4], +m[5], 0) : null;
}
