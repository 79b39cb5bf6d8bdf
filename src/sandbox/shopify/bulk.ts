import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import {
  Kind, executeSync, getArgumentValues, getNamedType, visit,
  type DocumentNode, type FieldNode, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';
import { flattenConnection, validateBulkQuery, type BulkUserError } from './bulk-query';
import { encodeCursor } from './cursor';
import { gid, isoInstant } from './record';
import { parseBulkSearch } from './bulk-search';
import { ORDER_SORT_KEYS, type OrderSortKey, type SandboxStore } from './store';
import { arrayConnection, orderView, type ExecContext, type FieldArgs, type View } from './views';
import { sandboxFieldResolver } from './resolve';

export type { BulkUserError } from './bulk-query';
export { validateBulkQuery } from './bulk-query';

export type BulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';
export type BulkErrorCode = 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT';

export interface BulkOperationState {
  readonly legacyId: number;
  readonly query: string;
  status: BulkStatus;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  /** Set when COMPLETED (the result) or FAILED after some rows (the partial data). */
  hasFile: boolean;
  errorCode: BulkErrorCode | null;
}

/**
 * How the sandbox runs exports. Defaults: 250 orders a step, no delay (tests and the bench want results fast), and
 * result URLs valid seven days after the operation ends, as the BulkOperation docs say (`url`, `partialDataUrl`).
 */
export interface BulkOptions {
  readonly chunk?: number;
  /** Wall-clock pause between steps, so tests can catch an operation RUNNING, with objectCount growing. */
  readonly chunkDelayMs?: number;
  readonly urlTtlMs?: number;
}

/** A failure to inject into the next operation started: it ends FAILED after this many root objects. */
export interface BulkFailure {
  readonly errorCode: BulkErrorCode;
  readonly afterRootObjects: number;
}

/**
 * "In API versions 2026-01 and higher apps can run up to five bulk query operations at a time per shop" (the bulk
 * operations guide, shopify.dev/api/usage/bulk-operations/queries; one before 2026-01); the sixth is refused.
 */
const MAX_RUNNING = 5;
const SEVEN_DAYS_MS = 7 * 86_400_000;
const UNFINISHED: ReadonlySet<BulkStatus> = new Set(['CREATED', 'RUNNING', 'CANCELING']);

/** Bulk query operations: validated, run in the background into a JSONL file, served from the sandbox. */
export class BulkOperations {
  private readonly operations = new Map<number, BulkOperationState>();
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shopify-sandbox-bulk-'));
  private nextId = 1;
  private readonly running = new Set<Promise<void>>();
  private readonly cancelRequested = new Set<number>();
  private failure: BulkFailure | null = null;

  constructor(
    private readonly schema: GraphQLSchema, private readonly store: SandboxStore, private readonly baseUrl: () => string,
    private readonly options: BulkOptions = {},
  ) {}

  /** The next operation started fails (test hook). */
  failNext(failure: BulkFailure): void {
    this.failure = failure;
  }

  start(query: string, visibleFrom?: number): { operation: BulkOperationState | null; errors: BulkUserError[] } {
    const { document, errors } = validateBulkQuery(this.schema, query);
    if (!document) return { operation: null, errors };
    const active = [...this.operations.values()].filter((op) => UNFINISHED.has(op.status));
    if (active.length >= MAX_RUNNING) {
      return { operation: null, errors: [{ field: null, message: `A shop can run at most ${MAX_RUNNING} bulk query operations at once.`, code: 'LIMIT_REACHED' }] };
    }
    const legacyId = this.nextId++;
    const operation: BulkOperationState = {
      legacyId, query, status: 'CREATED', createdAt: isoInstant(this.store.now()), completedAt: null,
      objectCount: 0, rootObjectCount: 0, fileSize: null, hasFile: false, errorCode: null,
    };
    this.operations.set(legacyId, operation);
    const failure = this.failure;
    this.failure = null;
    const run = this.run(operation, document, failure, visibleFrom).catch(() => this.end(operation, 'FAILED', 'INTERNAL_SERVER_ERROR'));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { operation, errors: [] };
  }

  /** bulkOperationCancel: CANCELING at once, CANCELED when the run reaches its next step. */
  cancel(legacyId: number): { operation: BulkOperationState | null; errors: { field: string[]; message: string }[] } {
    const operation = this.operations.get(legacyId);
    if (!operation) return { operation: null, errors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
    const status = this.status(operation);
    if (status !== 'CREATED' && status !== 'RUNNING') {
      return { operation, errors: [{ field: ['id'], message: `A bulk operation cannot be canceled when it is ${status.toLowerCase()}` }] };
    }
    operation.status = 'CANCELING';
    this.cancelRequested.add(legacyId);
    return { operation, errors: [] };
  }

  get(legacyId: number): BulkOperationState | null {
    return this.operations.get(legacyId) ?? null;
  }

  latest(): BulkOperationState | null {
    return this.operations.get(this.nextId - 1) ?? null;
  }

  /** `bulkOperations(query:, sortKey:, reverse:)`: newest first by default, filtered by status/operation_type/id. */
  list(args: FieldArgs): View {
    const matches = parseBulkSearch(typeof args.query === 'string' ? args.query : null);
    const key = args.sortKey === 'COMPLETED_AT' ? 'completedAt' : 'createdAt';
    const all = [...this.operations.values()]
      .filter((op) => matches({ legacyId: op.legacyId, status: this.status(op), type: 'query' }))
      .sort((a, b) => (b[key] ?? '').localeCompare(a[key] ?? '') || b.legacyId - a.legacyId);
    if (args.reverse === true) all.reverse();
    return arrayConnection(all, args, (op) => this.view(op));
  }

  /** The result (or partial-data) file, if the link is still valid; 'expired' once its seven days are over. */
  file(legacyId: number, partial: boolean): string | 'expired' | null {
    const operation = this.operations.get(legacyId);
    if (!operation?.hasFile || (operation.status === 'COMPLETED') === partial) return null;
    if (this.expired(operation)) return 'expired';
    return this.path(operation);
  }

  async idle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  async close(): Promise<void> {
    await this.idle();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  view(operation: BulkOperationState): View {
    const status = this.status(operation);
    const link = (partial: boolean): string | null =>
      operation.hasFile && status !== 'EXPIRED' && (operation.status === 'COMPLETED') !== partial
        ? `${this.baseUrl()}/bulk-operations/${operation.legacyId}${partial ? '.partial' : ''}.jsonl`
        : null;
    return {
      __typename: 'BulkOperation',
      id: gid('BulkOperation', operation.legacyId),
      status,
      type: 'QUERY',
      query: operation.query,
      createdAt: operation.createdAt,
      completedAt: operation.completedAt,
      objectCount: String(operation.objectCount),
      rootObjectCount: String(operation.rootObjectCount),
      fileSize: operation.fileSize === null ? null : String(operation.fileSize),
      url: link(false),
      partialDataUrl: link(true),
      errorCode: operation.errorCode,
    };
  }

  /** A finished operation whose links are past their validity reads EXPIRED, as Shopify reports it. */
  private status(operation: BulkOperationState): BulkStatus {
    return this.expired(operation) ? 'EXPIRED' : operation.status;
  }

  private expired(operation: BulkOperationState): boolean {
    if (operation.completedAt === null || UNFINISHED.has(operation.status) || operation.status === 'CANCELED') return false;
    return this.store.now().getTime() > Date.parse(operation.completedAt) + (this.options.urlTtlMs ?? SEVEN_DAYS_MS);
  }

  private path(operation: BulkOperationState): string {
    return path.join(this.dir, `${operation.legacyId}.jsonl`);
  }

  private end(operation: BulkOperationState, status: BulkStatus, errorCode: BulkErrorCode | null = null): void {
    operation.status = status;
    operation.errorCode = errorCode;
    operation.completedAt = isoInstant(this.store.now());
    this.cancelRequested.delete(operation.legacyId);
  }

  private async step(): Promise<void> {
    const delay = this.options.chunkDelayMs ?? 0;
    await new Promise((resolve) => (delay > 0 ? setTimeout(resolve, delay) : setImmediate(resolve)));
  }

  private async run(operation: BulkOperationState, document: DocumentNode, failure: BulkFailure | null, visibleFrom: number | undefined): Promise<void> {
    await this.step();
    if (this.cancelRequested.has(operation.legacyId)) return this.end(operation, 'CANCELED');
    operation.status = 'RUNNING';
    const root = this.schema.getQueryType()!;
    const ordersField = root.getFields().orders;
    const ordersNode = rootField(document);
    const args = getArgumentValues(ordersField, ordersNode, {});
    const sortKey = ORDER_SORT_KEYS.includes(args.sortKey as OrderSortKey) ? (args.sortKey as OrderSortKey) : 'ID';
    const query = typeof args.query === 'string' ? args.query : null;
    // Snapshot which orders belong to the export, so mutations during the run cannot skip or repeat one.
    const indices = Uint32Array.from(this.store.scan(query, sortKey, args.reverse === true, visibleFrom));
    const out = fs.createWriteStream(this.path(operation));
    const connectionType = getNamedType(ordersField.type) as GraphQLObjectType;
    const context: ExecContext = { store: this.store, bulk: true };
    const chunk = this.options.chunk ?? 250;
    const finish = async (status: BulkStatus, errorCode: BulkErrorCode | null = null): Promise<void> => {
      out.end();
      await once(out, 'finish');
      operation.hasFile = operation.objectCount > 0 && status !== 'CANCELED';
      operation.fileSize = status === 'COMPLETED' ? fs.statSync(this.path(operation)).size : null;
      this.end(operation, status, errorCode);
    };
    for (let start = 0; start < indices.length; start += chunk) {
      if (this.cancelRequested.has(operation.legacyId)) return finish('CANCELED');
      const end = Math.min(indices.length, start + chunk, failure ? failure.afterRootObjects : Infinity);
      if (end <= start) break;
      const views = Array.from(indices.subarray(start, end), (index) => orderView(this.store.recordAt(index), this.store));
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
      for (const line of flattenConnection(data[ordersNode.alias?.value ?? 'orders'], connectionType, null)) {
        operation.objectCount += 1; // a running count, as Shopify reports it while the operation runs
        if (!out.write(`${line}\n`)) await once(out, 'drain');
      }
      operation.rootObjectCount = end;
      await this.step();
    }
    if (this.cancelRequested.has(operation.legacyId)) return finish('CANCELED');
    if (failure) return finish('FAILED', failure.errorCode);
    return finish('COMPLETED');
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
