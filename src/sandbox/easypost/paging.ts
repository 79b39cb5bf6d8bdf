/**
 * EasyPost's list semantics as pure functions: newest first, `before_id`/`after_id` cursors, `page_size` up to 100,
 * and a window on creation time that defaults to one month (IAllMethodParameters doc-comments in @easypost/api).
 */
export interface Listable {
  readonly id: string;
  readonly createdAt: Date;
  /** Creation order, breaking ties between records created in the same millisecond. */
  readonly seq: number;
}

export interface ListQuery {
  readonly beforeId: string | null;
  readonly afterId: string | null;
  readonly start: Date;
  readonly end: Date;
  readonly pageSize: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Calendar months, clamped to the target month's last day (31 March minus a month is 28 February, not 3 March). */
function monthsLater(at: Date, months: number): Date {
  const moved = new Date(at.getTime());
  moved.setUTCDate(1);
  moved.setUTCMonth(moved.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(moved.getUTCFullYear(), moved.getUTCMonth() + 1, 0)).getUTCDate();
  moved.setUTCDate(Math.min(at.getUTCDate(), lastDay));
  return moved;
}

function endOfDay(at: Date): Date {
  const end = new Date(at.getTime());
  end.setUTCHours(23, 59, 59, 999);
  return end;
}

function parseDate(raw: string | null): Date | null | 'invalid' {
  if (raw === null || raw === '') return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? 'invalid' : new Date(ms);
}

/** Why a list request is refused, and the parameter at fault (EasyPost's FieldError). */
export interface ListQueryError {
  readonly error: string;
  readonly field: string | null;
}

/**
 * Reads the list parameters, or says why they are wrong. An empty `page_size` (the client's quirk) means default;
 * one over 100 is refused, not quietly cut: EasyPost documents 100 as the maximum, and a client asking for more
 * must learn it is not getting what it asked for.
 */
export function parseListQuery(params: URLSearchParams, now: Date): ListQuery | ListQueryError {
  const beforeId = params.get('before_id') || null;
  const afterId = params.get('after_id') || null;
  if (beforeId && afterId) return { error: 'before_id and after_id may not be used together', field: 'before_id' };
  const rawSize = params.get('page_size');
  let pageSize = DEFAULT_PAGE_SIZE;
  if (rawSize !== null && rawSize !== '') {
    const parsed = Number(rawSize);
    if (!Number.isInteger(parsed) || parsed < 1) return { error: `page_size must be a positive integer, got ${rawSize}`, field: 'page_size' };
    if (parsed > MAX_PAGE_SIZE) return { error: `page_size must be ${MAX_PAGE_SIZE} or less, got ${rawSize}`, field: 'page_size' };
    pageSize = parsed;
  }
  const start = parseDate(params.get('start_datetime'));
  const end = parseDate(params.get('end_datetime'));
  if (start === 'invalid' || end === 'invalid') {
    return { error: 'start_datetime and end_datetime must be ISO 8601 datetimes', field: start === 'invalid' ? 'start_datetime' : 'end_datetime' };
  }
  const windowEnd = end ?? (start ? monthsLater(start, 1) : endOfDay(now));
  const windowStart = start ?? monthsLater(end ?? now, -1);
  return { beforeId, afterId, start: windowStart, end: windowEnd, pageSize };
}

function newerFirst(a: Listable, b: Listable): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || b.seq - a.seq;
}

/**
 * One page of `candidates` (already filtered by the caller). `anchor` is the record named by before_id/after_id,
 * looked up among all records so a cursor keeps working when its own record falls outside the filters.
 */
export function pageOf<T extends Listable>(
  candidates: readonly T[],
  query: ListQuery,
  anchor: Listable | null,
): { page: T[]; hasMore: boolean } {
  const inWindow = candidates
    .filter((item) => item.createdAt >= query.start && item.createdAt <= query.end)
    .sort(newerFirst);
  if (query.afterId !== null) {
    if (!anchor) return { page: [], hasMore: false };
    const newer = inWindow.filter((item) => newerFirst(item, anchor) < 0);
    const page = newer.slice(Math.max(0, newer.length - query.pageSize));
    return { page, hasMore: newer.length > page.length };
  }
  let older = inWindow;
  if (query.beforeId !== null) {
    if (!anchor) return { page: [], hasMore: false };
    older = inWindow.filter((item) => newerFirst(item, anchor) > 0);
  }
  return { page: older.slice(0, query.pageSize), hasMore: older.length > query.pageSize };
}
