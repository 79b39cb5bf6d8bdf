import type { Env } from '../config/env';
import { ConfigError } from '../config/yaml-file';
import { resolveStoreId } from '../daemon/store-id';
import { dayOf } from '../outcomes/counters';
import { REPORT_FORMATS, formatReport, type ReportFormat } from '../outcomes/format';
import { firstDayToRead, report, type OutcomeReport } from '../outcomes/report';
import { OutcomeStore } from '../state/outcomes';
import type { StateStore } from '../state/port';
import { openStateStore } from '../state/store';

export interface ReportOptions {
  readonly format: string;
  readonly since?: string;
  readonly until?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Validated options: a format of `REPORT_FORMATS`, days as `YYYY-MM-DD`, since ≤ until. */
export function parseReportOptions(options: ReportOptions, now: Date): { format: ReportFormat; since: string | null; until: string } {
  const problems: string[] = [];
  const format = REPORT_FORMATS.find((f) => f === options.format);
  if (!format) problems.push(`--format: expected one of ${REPORT_FORMATS.join(', ')}, got ${options.format}`);
  const check = (flag: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) problems.push(`${flag}: expected a day as YYYY-MM-DD, got ${value}`);
    return value;
  };
  const since = check('--since', options.since);
  const until = check('--until', options.until) ?? dayOf(now);
  if (since !== null && since > until) problems.push(`--since ${since} is after --until ${until}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return { format: format as ReportFormat, since, until };
}

/** The report over a state store: reads the day buckets it needs and the total, never a customer. */
export async function reportFromStore(store: StateStore, since: string | null, until: string, now: Date): Promise<OutcomeReport> {
  const outcomes = new OutcomeStore(store);
  const today = dayOf(now);
  const first = firstDayToRead(since, until, now);
  const [days, totals] = await Promise.all([outcomes.days(first, until > today ? until : today), outcomes.totals()]);
  return report({ days, totals, since, until, now });
}

/** `shipsignal report`: this store's outcomes by lifecycle segment (SHIPSIGNAL_NOW, when set, is "now"). */
export async function runReport(env: Env, options: ReportOptions): Promise<string> {
  const now = env.SHIPSIGNAL_NOW ? new Date(env.SHIPSIGNAL_NOW) : new Date();
  const { format, since, until } = parseReportOptions(options, now);
  const store = await openStateStore(env.SHIPSIGNAL_STATE_URL, await resolveStoreId(env));
  try {
    return formatReport(await reportFromStore(store, since, until, now), format);
  } finally {
    await store.close();
  }
}
