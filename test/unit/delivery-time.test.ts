import { DateTime } from 'luxon';
import {
  addBusinessDays, businessDaysBetween, businessHoursBetween, isPublicHoliday, publicHolidays,
} from '../../src/enrichment/delivery';

const at = (iso: string, zone: string): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const SP = { zone: 'America/Sao_Paulo', country: 'BR' };
const NY = { zone: 'America/New_York', country: 'US' };

describe('public holidays', () => {
  it('computes Brazil\'s movable feasts from Easter and adds Consciência Negra from 2024', () => {
    expect(publicHolidays('BR', 2024)).toEqual(expect.arrayContaining(['2024-02-12', '2024-02-13', '2024-03-29', '2024-05-30', '2024-11-20']));
    expect(isPublicHoliday('BR', '2023-11-20')).toBe(false);
    expect(isPublicHoliday('BR', '2018-02-13')).toBe(true);
  });

  it('moves US federal holidays off weekends, including New Year into the previous December', () => {
    expect(isPublicHoliday('US', '2021-06-18')).toBe(true);
    expect(isPublicHoliday('US', '2020-06-19')).toBe(false);
    expect(isPublicHoliday('US', '2021-12-31')).toBe(true);
    expect(isPublicHoliday('US', '2023-01-02')).toBe(true);
    expect(isPublicHoliday('US', '2024-11-28')).toBe(true);
  });

  it('knows British substitute days and one-off bank holidays', () => {
    expect(publicHolidays('GB', 2021)).toEqual(expect.arrayContaining(['2021-12-27', '2021-12-28']));
    expect(publicHolidays('GB', 2022)).toEqual(expect.arrayContaining(['2022-06-02', '2022-06-03', '2022-09-19', '2022-12-26', '2022-12-27']));
    expect(isPublicHoliday('GB', '2020-05-08')).toBe(true);
    expect(isPublicHoliday('GB', '2020-05-04')).toBe(false);
  });

  it('has every country\'s holidays on weekdays or fixed dates, for each year 2010-2028', () => {
    for (let year = 2010; year <= 2028; year++) {
      for (const country of ['BR', 'GB', 'US']) expect(publicHolidays(country, year).length).toBeGreaterThanOrEqual(8);
      for (const day of publicHolidays('US', year)) expect([0, 6]).not.toContain(new Date(`${day}T12:00:00Z`).getUTCDay());
    }
  });

  it('treats unknown countries as having weekends only', () => {
    expect(isPublicHoliday('FR', '2024-12-25')).toBe(false);
    expect(isPublicHoliday(null, '2024-12-25')).toBe(false);
  });
});

describe('business time', () => {
  it('counts a Friday evening in São Paulo, which is already Saturday in UTC', () => {
    const placed = at('2024-03-01T22:00', 'America/Sao_Paulo');
    expect(placed.toISOString()).toBe('2024-03-02T01:00:00.000Z');
    const monday = at('2024-03-04T00:00', 'America/Sao_Paulo');
    expect(businessHoursBetween(placed, monday, SP)).toBeCloseTo(2, 6);
    expect(businessHoursBetween(placed, monday, { zone: 'UTC', country: 'BR' })).toBeCloseTo(3, 6);
  });

  it('skips weekends and holidays', () => {
    expect(businessDaysBetween(at('2024-05-24T12:00', NY.zone), at('2024-05-28T12:00', NY.zone), NY)).toBeCloseTo(1, 6);
    expect(businessDaysBetween(at('2024-02-09T00:00', SP.zone), at('2024-02-15T00:00', SP.zone), SP)).toBeCloseTo(2, 6);
  });

  it('counts a DST day as one whole business day', () => {
    expect(businessDaysBetween(at('2024-03-08T00:00', NY.zone), at('2024-03-12T00:00', NY.zone), NY)).toBeCloseTo(2, 6);
  });

  it('inverts businessDaysBetween with addBusinessDays', () => {
    const from = at('2024-03-07T15:30', NY.zone);
    for (const days of [0, 0.25, 1, 2.5, 7, 23.75]) {
      const to = addBusinessDays(from, days, NY);
      expect(businessDaysBetween(from, to, NY)).toBeCloseTo(days, 6);
    }
    expect(addBusinessDays(at('2024-03-08T12:00', NY.zone), 1, NY)).toEqual(at('2024-03-11T12:00', NY.zone));
  });

  it('returns 0 when the end is not after the start', () => {
    expect(businessDaysBetween(at('2024-03-08T12:00', NY.zone), at('2024-03-07T12:00', NY.zone), NY)).toBe(0);
  });
});
