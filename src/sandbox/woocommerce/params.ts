import type { WooErrorJson } from '../../sources/woocommerce/types';
import type { ListRequest } from './book';

/**
 * `GET /orders` collection parameters, validated as WordPress validates them against the route's JSON Schema
 * (`rest_validate_value_from_schema`): every invalid parameter is named in one `rest_invalid_param` 400, with
 * WordPress's own messages. Unknown parameters are ignored, as WordPress ignores them.
 */
export const ORDER_STATUS_ENUM = ['any', 'trash', 'pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'checkout-draft'] as const;
const ORDERBY_ENUM = ['date', 'id', 'include', 'title', 'slug', 'modified'] as const;
export const MAX_PER_PAGE = 100;

export interface ParsedList {
  readonly request: ListRequest;
  readonly page: number;
}

export type Problems = Record<string, { code: string; message: string }>;

/** WordPress `date-time`: ISO 8601 with optional fraction and zone; no zone means site time, or UTC with dates_are_gmt. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i;

function parseDate(value: string, asGmt: boolean, siteOffsetMinutes: number): number | null {
  const match = DATE_TIME.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, zone] = match;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(wall) || new Date(wall).getUTCMonth() !== Number(mo) - 1) return null;
  if (zone) {
    if (zone.toUpperCase() === 'Z') return wall;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.replace(/[+:-]/g, '');
    return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return asGmt ? wall : wall - siteOffsetMinutes * 60_000;
}

export function integer(params: ReadonlyMap<string, string>, name: string, min: number, max: number | null, fallback: number, problems: Problems): number {
  const raw = params.get(name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) {
    problems[name] = { code: 'rest_invalid_type', message: `${name} is not of type integer.` };
    return fallback;
  }
  const value = Number(raw);
  if (value < min || (max !== null && value > max)) {
    problems[name] = {
      code: 'rest_out_of_bounds',
      message: max === null ? `${name} must be greater than or equal to ${min}` : `${name} must be between ${min} (inclusive) and ${max} (inclusive)`,
    };
    return fallback;
  }
  return value;
}

function oneOf<T extends string>(params: ReadonlyMap<string, string>, name: string, allowed: readonly T[], fallback: T, problems: Problems): T {
  const raw = params.get(name);
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems[name] = { code: 'rest_not_in_enum', message: `${name} is not one of ${allowed.join(', ')}.` };
  return fallback;
}

/** `status` is an array: `status=a,b`, `status[]=a` or `status[0]=a&status[1]=b` (as the official client sends it). */
function statuses(params: ReadonlyMap<string, string>, problems: Problems): ReadonlySet<string> | 'any' {
  const values: string[] = [];
  for (const [name, value] of params) {
    if (name === 'status' || /^status\[\d*\]$/.test(name)) values.push(...value.split(',').map((v) => v.trim()).filter((v) => v !== ''));
  }
  if (values.length === 0) return 'any';
  const bad = values.findIndex((value) => !(ORDER_STATUS_ENUM as readonly string[]).includes(value));
  if (bad >= 0) {
    problems.status = { code: 'rest_not_in_enum', message: `status[${bad}] is not one of ${ORDER_STATUS_ENUM.join(', ')}.` };
    return 'any';
  }
  if (values.includes('any')) {
    const set = new Set<string>(ORDER_STATUS_ENUM.filter((s) => s !== 'any' && s !== 'trash'));
    for (const value of values) if (value !== 'any') set.add(value);
    return set;
  }
  return new Set(values);
}

export function parseListParams(params: ReadonlyMap<string, string>, siteOffsetMinutes: number): ParsedList | { error: WooErrorJson } {
  const problems: Problems = {};
  const gmtRaw = params.get('dates_are_gmt');
  let asGmt = false;
  if (gmtRaw !== undefined) {
    if (['true', '1'].includes(gmtRaw)) asGmt = true;
    else if (!['false', '0', ''].includes(gmtRaw)) problems.dates_are_gmt = { code: 'rest_invalid_type', message: 'dates_are_gmt is not of type boolean.' };
  }
  const date = (name: string): number | null => {
    const raw = params.get(name);
    if (raw === undefined) return null;
    const at = parseDate(raw, asGmt, siteOffsetMinutes);
    if (at === null) problems[name] = { code: 'rest_invalid_date', message: 'Invalid date.' };
    return at;
  };
  const request: ListRequest = {
    modifiedAfter: date('modified_after'),
    modifiedBefore: date('modified_before'),
    after: date('after'),
    before: date('before'),
    statuses: statuses(params, problems),
    orderby: oneOf(params, 'orderby', ORDERBY_ENUM, 'date', problems),
    order: oneOf(params, 'order', ['asc', 'desc'] as const, 'desc', problems),
    offset: integer(params, 'offset', 0, null, -1, problems),
    perPage: integer(params, 'per_page', 1, MAX_PER_PAGE, 10, problems),
  };
  const page = integer(params, 'page', 1, null, 1, problems);
  const invalid = invalidParams(problems);
  if (invalid) return { error: invalid };
  // An explicit offset wins over the page, as in WP_Query.
  const offset = request.offset >= 0 ? request.offset : (page - 1) * request.perPage;
  return { request: { ...request, offset }, page };
}

/** One `rest_invalid_param` 400 naming every invalid parameter, as WordPress's REST server reports them; null when none. */
export function invalidParams(problems: Problems): WooErrorJson | null {
  const names = Object.keys(problems);
  if (names.length === 0) return null;
  return {
    code: 'rest_invalid_param',
    message: `Invalid parameter(s): ${names.join(', ')}`,
    data: {
      status: 400,
      params: Object.fromEntries(names.map((name) => [name, problems[name].message])),
      details: Object.fromEntries(names.map((name) => [name, { code: problems[name].code, message: problems[name].message, data: null }])),
    },
  };
}
