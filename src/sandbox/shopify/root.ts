import { GraphQLError } from 'graphql';
import { gid, parseGid } from './record';
import { ORDER_SORT_KEYS, type OrderSortKey, type SandboxStore } from './store';
import type { OrderRecord } from './record';
import type { BulkOperations } from './bulk';
import { orderReturnFields, returnById } from './return-views';
import { fulfillmentView, orderView as plainOrderView, type ExecContext, type FieldArgs, type View } from './views';

export interface RootContext extends ExecContext {
  /** Search-syntax warnings, reported in `extensions.search` as Shopify does. */
  readonly searchWarnings: { readonly path: readonly string[]; readonly query: string; readonly warnings: readonly unknown[] }[];
  /** Orders created before this (ms) are invisible to the caller's token (no `read_all_orders`); see scopes.ts. */
  readonly visibleFrom?: number;
}

export interface ShopInfo {
  readonly name: string;
  readonly myshopifyDomain: string;
  readonly currencyCode: string;
  readonly ianaTimezone: string;
}

/** An order as the Query root serves it: with its returns and refunds (return-views.ts). */
const orderView = (record: OrderRecord, store: SandboxStore): View => ({ ...plainOrderView(record, store), ...orderReturnFields(record) });

function sortKeyOf(value: unknown): OrderSortKey {
  const key = value ?? 'PROCESSED_AT';
  if (!ORDER_SORT_KEYS.includes(key as OrderSortKey)) {
    throw new GraphQLError(`sortKey ${String(key)} is not supported by the shipsignal Shopify sandbox (supported: ${ORDER_SORT_KEYS.join(', ')}).`);
  }
  return key as OrderSortKey;
}

function optionalNumber(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The Query and Mutation roots the sandbox serves; every other root field is refused by the field resolver. */
export function rootValue(store: SandboxStore, bulk: BulkOperations, shop: ShopInfo): Record<string, unknown> {
  const visibleOrder = (id: string | number, context: RootContext) => {
    const record = store.order(id);
    return record && (context.visibleFrom === undefined || Date.parse(record.createdAt) >= context.visibleFrom) ? record : null;
  };
  const node = (id: unknown, context: RootContext): View | null => {
    const parsed = typeof id === 'string' ? parseGid(id) : null;
    if (parsed?.type === 'Order') {
      const record = visibleOrder(parsed.legacyId, context);
      return record ? orderView(record, store) : null;
    }
    if (parsed?.type === 'Fulfillment') return fulfillment(parsed.legacyId, context);
    if (parsed?.type === 'BulkOperation') {
      const operation = bulk.get(parsed.legacyId);
      return operation ? bulk.view(operation) : null;
    }
    return null;
  };
  // The sandbox keeps no index of fulfillments: a lookup scans the orders (a follow-up read, rare and small).
  const fulfillment = (legacyId: number, context: RootContext): View | null => {
    for (let i = 0; i < store.size; i++) {
      const order = store.recordAt(i);
      const position = order.fulfillments.findIndex((f) => f.legacyId === legacyId);
      if (position >= 0) return visibleOrder(order.legacyId, context) ? fulfillmentView(order.fulfillments[position], order, position) : null;
    }
    return null;
  };
  return {
    orders: (args: FieldArgs, context: RootContext) => {
      const query = optionalString(args.query);
      const page = store.page({
        first: optionalNumber(args.first),
        last: optionalNumber(args.last),
        after: optionalString(args.after),
        before: optionalString(args.before),
        query,
        sortKey: sortKeyOf(args.sortKey),
        reverse: args.reverse === true,
        visibleFrom: context.visibleFrom,
      });
      if (page.warnings.length > 0 && query !== null) context.searchWarnings.push({ path: ['orders'], query, warnings: page.warnings });
      const edges = page.entries.map((entry) => ({ cursor: entry.cursor, node: orderView(store.recordAt(entry.index), store) }));
      return {
        edges,
        nodes: edges.map((edge) => edge.node),
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        },
      };
    },
    ordersCount: (args: FieldArgs, context: RootContext) => {
      const query = optionalString(args.query);
      // Shopify's default limit is 10,000; an explicit null means no limit.
      const limit = args.limit === null ? Number.POSITIVE_INFINITY : optionalNumber(args.limit) ?? 10_000;
      const { count, warnings } = store.count(query, limit, context.visibleFrom);
      if (warnings.length > 0 && query !== null) context.searchWarnings.push({ path: ['ordersCount'], query, warnings });
      return { __typename: 'Count', count: Math.min(count, limit), precision: count > limit ? 'AT_LEAST' : 'EXACT' };
    },
    order: (args: FieldArgs, context: RootContext) => {
      const record = typeof args.id === 'string' ? visibleOrder(args.id, context) : null;
      return record ? orderView(record, store) : null;
    },
    fulfillment: (args: FieldArgs, context: RootContext) => {
      const parsed = typeof args.id === 'string' ? parseGid(args.id) : null;
      return parsed?.type === 'Fulfillment' ? fulfillment(parsed.legacyId, context) : null;
    },
    node: (args: FieldArgs, context: RootContext) => node(args.id, context),
    nodes: (args: FieldArgs, context: RootContext) => (Array.isArray(args.ids) ? args.ids.map((id) => node(id, context)) : []),
    bulkOperation: (args: FieldArgs, context: RootContext) => node(args.id, context),
    bulkOperations: (args: FieldArgs) => bulk.list(args),
    currentBulkOperation: () => {
      const latest = bulk.latest();
      return latest ? bulk.view(latest) : null;
    },
    shop: { __typename: 'Shop', id: gid('Shop', 1), ...shop },
    currentAppInstallation: (_args: FieldArgs, context: RootContext) => ({
      __typename: 'AppInstallation',
      id: gid('AppInstallation', 1),
      accessScopes: (context.scopes ?? []).map((handle) => ({ __typename: 'AccessScope', handle, description: handle })),
    }),
    return: (args: FieldArgs, context: RootContext) => {
      const parsed = typeof args.id === 'string' ? parseGid(args.id) : null;
      if (parsed?.type !== 'Return') return null;
      for (let i = 0; i < store.size; i++) {
        const order = store.recordAt(i);
        if (order.returns?.some((r) => r.legacyId === parsed.legacyId)) return visibleOrder(order.legacyId, context) ? returnById(order, parsed.legacyId, context) : null;
      }
      return null;
    },
    bulkOperationCancel: (args: FieldArgs) => {
      const parsed = typeof args.id === 'string' ? parseGid(args.id) : null;
      const { operation, errors } = parsed?.type === 'BulkOperation' ? bulk.cancel(parsed.legacyId) : { operation: null, errors: [{ field: ['id'], message: 'Invalid id' }] };
      return { bulkOperation: operation ? bulk.view(operation) : null, userErrors: errors.map((e) => ({ __typename: 'UserError', ...e })) };
    },
    bulkOperationRunQuery: (args: FieldArgs, context: RootContext) => {
      const { operation, errors } = bulk.start(String(args.query), context.visibleFrom);
      return {
        bulkOperation: operation ? bulk.view(operation) : null,
        userErrors: errors.map((e) => ({ __typename: 'BulkOperationUserError', ...e })),
      };
    },
  };
}
