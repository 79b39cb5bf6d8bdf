/**
 * Shopify's `query:` search syntax for orders, as far as a sync needs it: `field:value`, `field:>value`, `>=`, `<`,
 * `<=`, quoted values, terms joined by spaces or `AND` (both mean AND). Unknown fields are ignored with a warning,
 * as Shopify does (it reports them in `extensions.search`).
 */
export interface OrderKeys {
  readonly legacyId: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly processedAt: number;
  readonly cancelled: boolean;
  readonly closed: boolean;
  readonly test: boolean;
}

export type OrderPredicate = (keys: OrderKeys) => boolean;

export interface ParsedSearch {
  readonly predicate: OrderPredicate;
  readonly warnings: readonly { readonly field: string; readonly message: string }[];
}

type Comparator = '=' | '>' | '>=' | '<' | '<=';

const TERM = /^(-?)([a-z_]+):(>=|<=|>|<)?(.*)$/;
const DATE_FIELDS: Readonly<Record<string, keyof OrderKeys>> = {
  updated_at: 'updatedAt',
  created_at: 'createdAt',
  processed_at: 'processedAt',
};

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  const pattern = /(?:[^\s'"]+|'[^']*'|"[^"]*")+/g;
  for (const match of query.matchAll(pattern)) tokens.push(match[0]);
  return tokens.filter((token) => token !== 'AND');
}

function unquote(value: string): string {
  return value.replace(/^['"]|['"]$/g, '');
}

function compare(left: number, op: Comparator, right: number): boolean {
  switch (op) {
    case '=': return left === right;
    case '>': return left > right;
    case '>=': return left >= right;
    case '<': return left < right;
    case '<=': return left <= right;
  }
}

/** A bare year or date is a whole period: `>2024` means after the end of 2024, `<=2024-01-01` up to its end. */
function dateBounds(value: string, now: number): { start: number; end: number } | null {
  if (value === 'now') return { start: now, end: now };
  if (/^\d{4}$/.test(value)) return { start: Date.UTC(Number(value), 0, 1), end: Date.UTC(Number(value) + 1, 0, 1) - 1 };
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(start) ? null : { start, end: start + 86_400_000 - 1 };
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : { start: at, end: at };
}

function datePredicate(key: keyof OrderKeys, op: Comparator, bounds: { start: number; end: number }): OrderPredicate {
  return (keys) => {
    const at = keys[key] as number;
    switch (op) {
      case '=': return at >= bounds.start && at <= bounds.end;
      case '>': return at > bounds.end;
      case '>=': return at >= bounds.start;
      case '<': return at < bounds.start;
      case '<=': return at <= bounds.end;
    }
  };
}

function statusPredicate(value: string): OrderPredicate | null {
  switch (value) {
    case 'open': return (k) => !k.closed && !k.cancelled;
    case 'closed': return (k) => k.closed;
    case 'cancelled': return (k) => k.cancelled;
    case 'not_closed': return (k) => !k.closed;
    case 'any': return () => true;
    default: return null;
  }
}

function termPredicate(field: string, op: Comparator, value: string, now: number): OrderPredicate | null {
  const dateKey = DATE_FIELDS[field];
  if (dateKey) {
    const bounds = dateBounds(value, now);
    return bounds ? datePredicate(dateKey, op, bounds) : null;
  }
  if (field === 'status' && op === '=') return statusPredicate(value.toLowerCase());
  if (field === 'test' && op === '=') return (k) => k.test === (value === 'true');
  if (field === 'id' && /^\d+$/.test(value)) return (k) => compare(k.legacyId, op, Number(value));
  return null;
}

export function parseSearchQuery(query: string | null | undefined, now: number): ParsedSearch {
  const predicates: OrderPredicate[] = [];
  const warnings: { field: string; message: string }[] = [];
  for (const token of tokenize(query ?? '')) {
    const match = TERM.exec(token);
    if (!match) {
      warnings.push({ field: 'default', message: `free-text search is not supported by the sandbox: ${token}` });
      continue;
    }
    const [, negate, field, op = '=', raw] = match;
    const predicate = termPredicate(field, op as Comparator, unquote(raw), now);
    if (!predicate) {
      warnings.push({ field, message: 'Invalid search field for this query.' });
      continue;
    }
    predicates.push(negate ? (k) => !predicate(k) : predicate);
  }
  return { predicate: (keys) => predicates.every((p) => p(keys)), warnings };
}
