/**
 * Public holidays on which carriers do not deliver, for the destination countries in our data (BR, GB, US).
 * Computed from each country's rules rather than listed, so any year works; the one-off holidays
 * (royal events) are listed for 2010-2028. Other countries have weekends only.
 */

type IsoDate = string;

const pad = (n: number): string => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number): IsoDate => {
  const date = new Date(Date.UTC(y, m - 1, d));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
};
const weekday = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

/** Easter Sunday (Gregorian, anonymous algorithm), as [month, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

const easterOffset = (year: number, days: number): IsoDate => {
  const [m, d] = easterSunday(year);
  return iso(year, m, d + days);
};

/** The n-th (1-based) given weekday of a month; n = -1 is the last one. */
function nthWeekday(year: number, month: number, dow: number, n: number): IsoDate {
  if (n > 0) {
    const first = weekday(year, month, 1);
    return iso(year, month, 1 + ((dow - first + 7) % 7) + 7 * (n - 1));
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = weekday(year, month, lastDay);
  return iso(year, month, lastDay - ((last - dow + 7) % 7));
}

/** US federal rule: Saturday holidays are observed on Friday, Sunday ones on Monday. */
function usObserved(year: number, month: number, day: number): IsoDate {
  const dow = weekday(year, month, day);
  return iso(year, month, day + (dow === 6 ? -1 : dow === 0 ? 1 : 0));
}

function unitedStates(year: number): IsoDate[] {
  const days = [
    usObserved(year, 1, 1),
    nthWeekday(year, 1, 1, 3),
    nthWeekday(year, 2, 1, 3),
    nthWeekday(year, 5, 1, -1),
    usObserved(year, 7, 4),
    nthWeekday(year, 9, 1, 1),
    nthWeekday(year, 10, 1, 2),
    usObserved(year, 11, 11),
    nthWeekday(year, 11, 4, 4),
    usObserved(year, 12, 25),
  ];
  if (year >= 2021) days.push(usObserved(year, 6, 19));
  return days;
}

/** England and Wales bank holidays (Royal Mail's calendar); Scotland and Northern Ireland differ slightly. */
const GB_MOVED: Readonly<Record<number, { earlyMay?: IsoDate; spring?: IsoDate }>> = {
  2012: { spring: '2012-06-04' },
  2020: { earlyMay: '2020-05-08' },
  2022: { spring: '2022-06-02' },
};
const GB_ONE_OFF: readonly IsoDate[] = ['2011-04-29', '2012-06-05', '2022-06-03', '2022-09-19', '2023-05-08'];

function greatBritain(year: number): IsoDate[] {
  const jan1 = weekday(year, 1, 1);
  const dec25 = weekday(year, 12, 25);
  // Christmas and Boxing Day falling on a weekend move to the next free weekdays.
  const christmas = iso(year, 12, dec25 === 6 || dec25 === 0 ? 27 : 25);
  const boxing = iso(year, 12, dec25 === 5 || dec25 === 6 ? 28 : 26);
  return [
    iso(year, 1, 1 + (jan1 === 6 ? 2 : jan1 === 0 ? 1 : 0)),
    easterOffset(year, -2),
    easterOffset(year, 1),
    GB_MOVED[year]?.earlyMay ?? nthWeekday(year, 5, 1, 1),
    GB_MOVED[year]?.spring ?? nthWeekday(year, 5, 1, -1),
    nthWeekday(year, 8, 1, -1),
    christmas,
    boxing,
    ...GB_ONE_OFF.filter((day) => day.startsWith(`${year}-`)),
  ];
}

/** National holidays plus Carnival and Corpus Christi, on which Correios and most carriers do not deliver. */
function brazil(year: number): IsoDate[] {
  const days = [
    iso(year, 1, 1),
    easterOffset(year, -48),
    easterOffset(year, -47),
    easterOffset(year, -2),
    iso(year, 4, 21),
    iso(year, 5, 1),
    easterOffset(year, 60),
    iso(year, 9, 7),
    iso(year, 10, 12),
    iso(year, 11, 2),
    iso(year, 11, 15),
    iso(year, 12, 25),
  ];
  if (year >= 2024) days.push(iso(year, 11, 20));
  return days;
}

const RULES: Readonly<Record<string, (year: number) => IsoDate[]>> = { BR: brazil, GB: greatBritain, US: unitedStates };

const cache = new Map<string, ReadonlySet<IsoDate>>();

function holidaySet(country: string, year: number): ReadonlySet<IsoDate> {
  const key = `${country}:${year}`;
  let set = cache.get(key);
  if (!set) {
    const rule = RULES[country];
    // An observed New Year's Day can fall on 31 December of the year before.
    set = new Set(rule ? [...rule(year), ...rule(year + 1)].filter((d) => d.startsWith(`${year}-`)) : []);
    cache.set(key, set);
  }
  return set;
}

/** Whether `date` (YYYY-MM-DD, local to the country) is a public holiday there. */
export function isPublicHoliday(country: string | null, date: IsoDate): boolean {
  if (country == null) return false;
  return holidaySet(country.toUpperCase(), Number(date.slice(0, 4))).has(date);
}

export function publicHolidays(country: string, year: number): IsoDate[] {
  return [...holidaySet(country.toUpperCase(), year)].sort();
}
