import {
  GraphQLError, GraphQLIncludeDirective, GraphQLSkipDirective, Kind, getArgumentValues, getDirectiveValues,
  getNamedType, getNullableType, isInterfaceType, isLeafType, isListType, isObjectType,
  type FieldNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLField, type GraphQLNamedType,
  type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';

/**
 * Shopify's calculated query cost (shopify.dev, "GraphQL Admin API rate limits"): scalars and enums 0, objects 1,
 * connections 2 + first × the cost of one node, mutations 10, interfaces the most expensive of their fragments.
 * Sized lists (`fulfillments(first: 10)`) multiply like connections without the 2. The same walk, given the response
 * data, yields the actual cost; it also enforces Shopify's page-size rules before anything runs.
 */
export const MAX_PAGE_SIZE = 250;
export const MUTATION_COST = 10;

export interface CostInput {
  readonly schema: GraphQLSchema;
  readonly operation: OperationDefinitionNode;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variables: Record<string, unknown>;
  /** Bulk inner queries page nothing, so connections need no first/last there. */
  readonly bulk?: boolean;
}

type Data = Record<string, unknown> | undefined;

class CostWalker {
  readonly errors: GraphQLError[] = [];
  constructor(private readonly input: CostInput) {}

  operationCost(data: Data): number {
    const root = this.input.operation.operation === 'mutation' ? this.input.schema.getMutationType() : this.input.schema.getQueryType();
    if (!root) return 0;
    const perField = this.input.operation.operation === 'mutation' ? MUTATION_COST : 0;
    let total = 0;
    for (const field of this.fields(root, this.input.operation.selectionSet)) {
      total += perField + this.fieldCost(root, field, data);
    }
    return total;
  }

  /** Fields selected on `type`, fragments expanded; fragments on other types are costed apart (max is taken). */
  private fields(type: GraphQLCompositeType, set: SelectionSetNode): FieldNode[] {
    const out: FieldNode[] = [];
    for (const selection of set.selections) {
      if (!this.included(selection)) continue;
      if (selection.kind === Kind.FIELD) out.push(selection);
      else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.input.fragments.get(selection.name.value);
        if (!fragment) continue;
        const condition = fragment.typeCondition?.name.value;
        if (!condition || condition === type.name) out.push(...this.fields(type, fragment.selectionSet));
      }
    }
    return out;
  }

  private fragmentsOnOtherTypes(type: GraphQLCompositeType, set: SelectionSetNode): Map<string, SelectionSetNode[]> {
    const byType = new Map<string, SelectionSetNode[]>();
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD || !this.included(selection)) continue;
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.input.fragments.get(selection.name.value);
      const condition = fragment?.typeCondition?.name.value;
      if (!fragment || !condition || condition === type.name) continue;
      byType.set(condition, [...(byType.get(condition) ?? []), fragment.selectionSet]);
    }
    return byType;
  }

  private included(selection: SelectionSetNode['selections'][number]): boolean {
    const vars = this.input.variables;
    if (getDirectiveValues(GraphQLSkipDirective, selection, vars)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, selection, vars)?.if !== false;
  }

  selectionCost(type: GraphQLCompositeType, set: SelectionSetNode, data: Data): number {
    let total = 0;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of this.fields(type, set)) total += this.fieldCost(type, field, data);
    }
    let widest = 0;
    for (const [condition, sets] of this.fragmentsOnOtherTypes(type, set)) {
      const fragmentType = this.input.schema.getType(condition);
      if (!fragmentType || !(isObjectType(fragmentType) || isInterfaceType(fragmentType))) continue;
      if (data !== undefined && isObjectType(fragmentType) && data.__typename !== undefined && data.__typename !== condition) continue;
      widest = Math.max(widest, sets.reduce((sum, s) => sum + this.selectionCost(fragmentType, s, data), 0));
    }
    return total + widest;
  }

  private fieldCost(parent: GraphQLObjectType | GraphQLCompositeType, node: FieldNode, data: Data): number {
    if (node.name.value.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
    const def = parent.getFields()[node.name.value];
    if (!def) return 0;
    const named = getNamedType(def.type);
    const args = this.args(def, node);
    this.checkPaging(def, node, args, named);
    if (isLeafType(named) || !node.selectionSet) return 0;
    const composite = named as GraphQLCompositeType;
    const value = data === undefined ? undefined : data[node.alias?.value ?? node.name.value];
    if (isConnection(named)) return this.connectionCost(named, node.selectionSet, args, value, data === undefined);
    if (data === undefined) {
      const size = isListType(getNullableType(def.type)) ? sizeOf(args) ?? 1 : 1;
      return size * (1 + this.selectionCost(composite, node.selectionSet, undefined));
    }
    if (value === null || value === undefined) return 0;
    const items = Array.isArray(value) ? value : [value];
    return items.reduce<number>((sum, item) => sum + 1 + this.selectionCost(composite, node.selectionSet!, asData(item)), 0);
  }

  private connectionCost(type: GraphQLObjectType, set: SelectionSetNode, args: Record<string, unknown>, value: unknown, requested: boolean): number {
    const edgesField = set.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'edges');
    const nodeField = edgesField?.selectionSet?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'node');
    const nodesField = set.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'nodes');
    const nodeType = getNamedType(type.getFields().nodes?.type ?? type.getFields().edges.type) as GraphQLCompositeType;
    const itemCost = (item: Data, edgeItem: Data): number =>
      Math.max(
        nodeField?.selectionSet ? 1 + this.selectionCost(nodeType, nodeField.selectionSet, edgeItem) : 0,
        nodesField?.selectionSet ? 1 + this.selectionCost(nodeType, nodesField.selectionSet, item) : 0,
      );
    if (requested) return 2 + (sizeOf(args) ?? 0) * itemCost(undefined, undefined);
    if (value === null || value === undefined) return 0;
    const connection = asData(value) ?? {};
    const nodes = Array.isArray(connection.nodes) ? connection.nodes : [];
    const edges = Array.isArray(connection.edges) ? connection.edges : [];
    let total = 2;
    for (let i = 0; i < Math.max(nodes.length, edges.length); i++) {
      total += itemCost(asData(nodes[i]) ?? {}, asData(asData(edges[i])?.node) ?? {});
    }
    return total;
  }

  private args(def: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    try {
      return getArgumentValues(def, node, this.input.variables);
    } catch {
      return {};
    }
  }

  private checkPaging(def: GraphQLField<unknown, unknown>, node: FieldNode, args: Record<string, unknown>, named: GraphQLNamedType): void {
    for (const name of ['first', 'last']) {
      const value = args[name];
      if (typeof value === 'number' && value > MAX_PAGE_SIZE) {
        this.errors.push(new GraphQLError(`The ${name} argument of ${def.name} must be at most ${MAX_PAGE_SIZE}, got ${value}.`, {
          nodes: node, extensions: { code: 'BAD_REQUEST' } }));
      }
    }
    if (!this.input.bulk && isConnection(named) && args.first == null && args.last == null) {
      this.errors.push(new GraphQLError('you must provide one of first or last', { nodes: node }));
    }
  }
}

function sizeOf(args: Record<string, unknown>): number | null {
  const size = args.first ?? args.last;
  return typeof size === 'number' ? size : null;
}

function asData(value: unknown): Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function isConnection(type: GraphQLNamedType): type is GraphQLObjectType {
  return isObjectType(type) && type.name.endsWith('Connection') && 'pageInfo' in type.getFields() && 'edges' in type.getFields();
}

/** The requested cost, plus the page-size errors that make Shopify refuse a query before running it. */
export function requestedCost(input: CostInput): { cost: number; errors: readonly GraphQLError[] } {
  const walker = new CostWalker(input);
  const cost = walker.operationCost(undefined);
  return { cost, errors: walker.errors };
}

/** The cost of what was actually returned: connections count the nodes they hold, not the page size asked for. */
export function actualCost(input: CostInput, data: Record<string, unknown>): number {
  return new CostWalker(input).operationCost(data);
}
