import fs from 'node:fs';
import zlib from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { fromPackageRoot } from '../../util/package-root';

export const SANDBOX_API_VERSION = '2026-10';

let cached: GraphQLSchema | null = null;

/** The real Admin API schema (from @shopify/dev-mcp), so the sandbox accepts exactly what Shopify would. */
export function adminSchema(): GraphQLSchema {
  if (cached) return cached;
  const file = fromPackageRoot('specs', 'shopify-admin-graphql', `admin_${SANDBOX_API_VERSION}.introspection.json.gz`);
  const parsed = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as { data: IntrospectionQuery };
  cached = buildClientSchema(parsed.data, { assumeValid: true });
  return cached;
}
