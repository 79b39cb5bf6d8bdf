import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import {
  Kind, executeSync, getArgumentValues, getNamedType, isObjectType, parse, validate, visit,
  type DocumentNode, type FieldNode, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode,
} from 'graphql';
import { isConnection } from './cost';
import { encodeCursor } from './cursor';
import { gid, isoInstant } from './record';
import { ORDER_SORT_KEYS, type OrderSortKey, type SandboxStore } from './store';
import { orderView, type ExecContext, type View } from './views';
import { sandboxFieldResolver } from './resolve';

export type BulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface BulkOperationState {
  readonly legacyId: number;
  readonly query: string;
  status: BulkStatus;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  errorCode: string | null;
}

export interface BulkUserError {
  readonly field: readonly string[] | null;
  readonly message: string;
  readonly code: 'INVALID' | 'LIMIT_REACHED' | 'OPERATION_IN_PROGRESS';
}

const MAX_CONNECTIONS = 5;
const MAX_CONNECTION_DEPTH = 2;
const MAX_RUNNING = 5;
const CHUNK = 250;

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
function* flattenConnection(value: unknown, type: GraphQLObjectType, parentId: string | null): Generator<string> {
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

/** Bulk query operations: validated, run in the background into a JSONL file, served from the sandbox. */
export class BulkOperations {
  private readonly operations = new Map<number, BulkOperationState>();
  private readonly files = new Map<number, string>();
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shopify-sandbox-bulk-'));
  private nextId = 1;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly schema: GraphQLSchema, private readonly store: SandboxStore, private readonly baseUrl: () => string) {}

  start(query: string): { operation: BulkOperationState | null; errors: BulkUserError[] } {
    const { document, errors } = validateBulkQuery(this.schema, query);
    if (!document) return { operation: null, errors };
    const active = [...this.operations.values()].filter((op) => op.status === 'CREATED' || op.status === 'RUNNING');
    if (active.length >= MAX_RUNNING) {
      return { operation: null, errors: [{ field: null, message: `A shop can run at most ${MAX_RUNNING} bulk query operations at once.`, code: 'LIMIT_REACHED' }] };
    }
    const legacyId = this.nextId++;
    const operation: BulkOperationState = {
      legacyId, query, status: 'CREATED', createdAt: isoInstant(this.store.now()), completedAt: null,
      objectCount: 0, rootObjectCount: 0, fileSize: null, url: null, errorCode: null,
    };
    this.operations.set(legacyId, operation);
    const run = this.run(operation, document).catch(() => {
      operation.status = 'FAILED';
      operation.errorCode = 'INTERNAL_SERVER_ERROR';
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { operation, errors: [] };
  }

  get(legacyId: number): BulkOperationState | null {
    return this.operations.get(legacyId) ?? null;
  }

  latest(): BulkOperationState | null {
    return this.operations.get(this.nextId - 1) ?? null;
  }

  file(legacyId: number): string | null {
    const operation = this.operations.get(legacyId);
    return operation?.status === 'COMPLETED' ? this.files.get(legacyId) ?? null : null;
  }

  /** Settles when every started operation has finished; used by tests and close(). */
  async idle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  async close(): Promise<void> {
    await this.idle();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  view(operation: BulkOperationState): View {
    return {
      __typename: 'BulkOperation',
      id: gid('BulkOperation', operation.legacyId),
      status: operation.status,
      type: 'QUERY',
      query: operation.query,
      createdAt: operation.createdAt,
      completedAt: operation.completedAt,
      objectCount: String(operation.objectCount),
      rootObjectCount: String(operation.rootObjectCount),
      fileSize: operation.fileSize === null ? null : String(operation.fileSize),
      url: operation.url,
      partialDataUrl: null,
      errorCode: operation.errorCode,
    };
  }

  private async run(operation: BulkOperationState, document: DocumentNode): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    operation.status = 'RUNNING';
    const root = this.schema.getQueryType()!;
    const ordersField = root.getFields().orders;
    const ordersNode = rootField(document);
    const args = getArgumentValues(ordersField, ordersNode, {});
    const sortKey = ORDER_SORT_KEYS.includes(args.sortKey as OrderSortKey) ? (args.sortKey as OrderSortKey) : 'ID';
    const query = typeof args.query === 'string' ? args.query : null;
    // Snapshot which orders belong to the export, so mutations during the run cannot skip or repeat one.
    const indices = Uint32Array.from(this.store.scan(query, sortKey, args.reverse === true));
    const file = path.join(this.dir, `${operation.legacyId}.jsonl`);
    const out = fs.createWriteStream(file);
    const connectionType = getNamedType(ordersField.type) as GraphQLObjectType;
    const context: ExecContext = { store: this.store, bulk: true };
    let objects = 0;
    for (let start = 0; start < indices.length; start += CHUNK) {
      const views = Array.from(indices.subarray(start, start + CHUNK), (index) => orderView(this.store.recordAt(index), this.store));
      const page = {
        edges: views.map((node, i) => ({ node, cursor: encodeCursor({ lastId: start + i, lastValue: start + i }) })),
        nodes: views,
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      };
      const result = executeSync({
        schema: this.schema, document, rootValue: { orders: page }, contextValue: context, fieldResolver: sandboxFieldResolver,
      });
      if (result.errors?.length) throw result.errors[0];
      const data = result.data as Record<string, unknown>;
      const key = ordersNode.alias?.value ?? 'orders';
      for (const line of flattenConnection(data[key], connectionType, null)) {
        objects += 1;
        if (!out.write(`${line}\n`)) await once(out, 'drain');
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    out.end();
    await once(out, 'finish');
    this.files.set(operation.legacyId, file);
    operation.objectCount = objects;
    operation.rootObjectCount = indices.length;
    operation.fileSize = fs.statSync(file).size;
    operation.url = `${this.baseUrl()}/bulk-operations/${operation.legacyId}.jsonl`;
    operation.completedAt = isoInstant(this.store.now());
    operation.status = 'COMPLETED';
  }
}

function rootField(document: DocumentNode): FieldNode {
  let found: FieldNode | null = null;
  visit(document, {
    OperationDefinition(node) {
      const first = node.selectionSet.selections[0];
      if (first.kind === Kind.FIELD) found = first;
    },
  });
  if (!found) throw new Error('bulk query has no root field');
  return found;
}
