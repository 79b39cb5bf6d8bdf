import {
  Kind, getNamedType, isObjectType, parse, validate,
  type DocumentNode, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode,
} from 'graphql';
import { isConnection } from './cost';

/** Shopify's rules for a bulk query's document, and how its result becomes JSONL lines. */
export interface BulkUserError {
  readonly field: readonly string[] | null;
  readonly message: string;
  readonly code: 'INVALID' | 'LIMIT_REACHED' | 'OPERATION_IN_PROGRESS';
}

const MAX_CONNECTIONS = 5;
const MAX_CONNECTION_DEPTH = 2;

interface ConnectionShape {
  count: number;
  depth: number;
  parentsWithoutId: string[];
}

/** Shopify's bulk query rules: 1-5 connections, nested at most two deep, and a parent `id` for each nested one. */
function connectionShape(schema: GraphQLSchema, document: DocumentNode): ConnectionShape {
  const shape: ConnectionShape = { count: 0, depth: 0, parentsWithoutId: [] };
  const walk = (type: GraphQLObjectType, set: SelectionSetNode, depth: number): void => {
    for (const selection of set.selections) {
      if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
      const def = type.getFields()[selection.name.value];
      const named = def ? getNamedType(def.type) : null;
      if (!named || !isObjectType(named)) continue;
      if (isConnection(named)) {
        shape.count += 1;
        shape.depth = Math.max(shape.depth, depth + 1);
        const hasId = set.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'id');
        if (depth > 0 && !hasId) shape.parentsWithoutId.push(selection.name.value);
        walk(named, selection.selectionSet, depth + 1);
      } else {
        walk(named, selection.selectionSet, depth);
      }
    }
  };
  const root = schema.getQueryType();
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (root && operation && operation.kind === Kind.OPERATION_DEFINITION) walk(root, operation.selectionSet, 0);
  return shape;
}

export function validateBulkQuery(schema: GraphQLSchema, query: string): { document: DocumentNode | null; errors: BulkUserError[] } {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return { document: null, errors: [{ field: ['query'], message: `Invalid bulk query: ${(error as Error).message}`, code: 'INVALID' }] };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) {
    return { document: null, errors: invalid.map((e) => ({ field: ['query'], message: `Invalid bulk query: ${e.message}`, code: 'INVALID' as const })) };
  }
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const errors: BulkUserError[] = [];
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION || operation.operation !== 'query') {
    errors.push({ field: ['query'], message: 'Bulk queries must be a query operation.', code: 'INVALID' });
    return { document: null, errors };
  }
  const shape = connectionShape(schema, document);
  if (shape.count === 0) errors.push({ field: ['query'], message: 'Bulk queries must contain at least one connection.', code: 'INVALID' });
  if (shape.count > MAX_CONNECTIONS) errors.push({ field: ['query'], message: `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`, code: 'INVALID' });
  if (shape.depth > MAX_CONNECTION_DEPTH) errors.push({ field: ['query'], message: `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_CONNECTION_DEPTH}.`, code: 'INVALID' });
  for (const name of shape.parentsWithoutId) {
    errors.push({ field: ['query'], message: `The parent 'id' field is required for the nested connection ${name}.`, code: 'INVALID' });
  }
  const roots = operation.selectionSet.selections;
  if (roots.length !== 1 || roots[0].kind !== Kind.FIELD || roots[0].name.value !== 'orders') {
    errors.push({ field: ['query'], message: 'The shipsignal sandbox runs bulk queries over `orders` only.', code: 'INVALID' });
  }
  return { document: errors.length ? null : document, errors };
}

/** Turns one page of results into JSONL objects: nested connection children become their own lines. */
export function* flattenConnection(value: unknown, type: GraphQLObjectType, parentId: string | null): Generator<string> {
  if (typeof value !== 'object' || value === null) return;
  const connection = value as { edges?: { node?: unknown }[]; nodes?: unknown[] };
  const items = connection.edges ? connection.edges.map((edge) => edge.node) : connection.nodes ?? [];
  const nodeType = getNamedType(type.getFields().edges.type) as GraphQLObjectType;
  const itemType = getNamedType(nodeType.getFields().node.type);
  for (const item of items) {
    if (typeof item !== 'object' || item === null || !isObjectType(itemType)) continue;
    const own: Record<string, unknown> = {};
    const children: [unknown, GraphQLObjectType][] = [];
    for (const [key, field] of Object.entries(item)) {
      const def = itemType.getFields()[key];
      const named = def ? getNamedType(def.type) : null;
      if (named && isConnection(named)) children.push([field, named]);
      else own[key] = field;
    }
    if (parentId !== null) own.__parentId = parentId;
    yield JSON.stringify(own);
    const id = typeof own.id === 'string' ? own.id : null;
    for (const [child, childType] of children) yield* flattenConnection(child, childType, id);
  }
}

