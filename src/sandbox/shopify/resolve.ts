import { GraphQLError, isListType, isNonNullType, type GraphQLFieldResolver } from 'graphql';
import type { ExecContext, FieldArgs } from './views';

type PropertyResolver = (args: FieldArgs, context: ExecContext) => unknown;

/**
 * graphql-js's default resolution (read the property; call it with the arguments when it is a function), plus the
 * sandbox's rule for what it does not hold: null where the schema allows null, an empty list for a non-null list,
 * and a clear error for any other non-null field or any unserved root field, never an invented value.
 */
export const sandboxFieldResolver: GraphQLFieldResolver<unknown, ExecContext, FieldArgs> = (source, args, context, info) => {
  const value = typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[info.fieldName] : undefined;
  if (typeof value === 'function') return (value as PropertyResolver)(args, context);
  if (value !== undefined) return value;
  const isRoot = info.parentType === info.schema.getQueryType() || info.parentType === info.schema.getMutationType();
  if (isNonNullType(info.returnType) && isListType(info.returnType.ofType) && !isRoot) return [];
  if (isNonNullType(info.returnType) || isRoot) {
    throw new GraphQLError(`${info.parentType.name}.${info.fieldName} is not served by the shipsignal Shopify sandbox.`, {
      extensions: { code: 'NOT_SERVED_BY_SANDBOX' },
    });
  }
  return null;
};
