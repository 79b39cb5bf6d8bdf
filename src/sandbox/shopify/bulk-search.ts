/**
 * The `query:` filter of `bulkOperations` (2026-10): `status:<value>`, `operation_type:query|mutation`, `id:`
 * with comparators, terms joined by spaces or AND, `OR` between alternatives. Unknown terms match nothing, so a
 * filter the sandbox does not understand cannot silently widen a result.
 */
export interface BulkKeys {
  readonly legacyId: number;
  readonly status: string;
  readonly type: 'query' | 'mutation';
}

type Predicate = (keys: BulkKeys) => boolean;

function term(token: string): Predicate {
  const match = /^([a-z_]+):(>=|<=|>|<)?'?([^']*)'?$/.exec(token);
  if (!match) return () => false;
  const [, field, op, value] = match;
  switch (field) {
    case 'status': return (k) => k.status.toLowerCase() === value.toLowerCase();
    case 'operation_type': return (k) => k.type === value.toLowerCase();
    case 'id': {
      const id = Number(value.replace(/^gid:\/\/shopify\/BulkOperation\//, ''));
      if (op === '>=') return (k) => k.legacyId >= id;
      if (op === '<=') return (k) => k.legacyId <= id;
      if (op === '>') return (k) => k.legacyId > id;
      if (op === '<') return (k) => k.legacyId < id;
      return (k) => k.legacyId === id;
    }
    default: return () => false;
  }
}

export function parseBulkSearch(query: string | null): Predicate {
  if (!query?.trim()) return () => true;
  const alternatives = query.split(/\s+OR\s+/).map((part) => {
    const terms = part.split(/\s+/).filter((t) => t && t !== 'AND').map(term);
    return (k: BulkKeys) => terms.every((p) => p(k));
  });
  return (k) => alternatives.some((p) => p(k));
}
