import type { JsonObject, OpenApiDocument } from './spec';

/** Keys that document a schema without constraining it. */
const NOISE = new Set(['example', 'examples', 'description', 'readOnly', 'writeOnly', 'deprecated', 'default', 'title']);
const COMPONENT_PREFIX = '#/components/schemas/';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * OpenAPI 3.0 schema → JSON Schema (draft-07) as ajv reads it: `nullable` becomes an explicit null alternative,
 * component refs point into `definitions`, documentation noise and vendor extensions go.
 */
export function toJsonSchema(node: unknown, refBase: string): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, refBase));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (NOISE.has(key) || key.startsWith('x-') || key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_PREFIX)) {
      out.$ref = `${refBase}${value.slice(COMPONENT_PREFIX.length)}`;
    } else {
      // Under `properties` the keys are field names, not keywords, and must survive even if named "description".
      out[key] = key === 'properties' && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub, refBase)]))
        : toJsonSchema(value, refBase);
    }
  }
  return node.nullable === true ? allowNull(out) : out;
}

function allowNull(schema: JsonObject): JsonObject {
  // ajv applies a $ref's siblings too, so a nullable ref must become an explicit alternative.
  if (typeof schema.$ref === 'string') return { anyOf: [{ $ref: schema.$ref }, { type: 'null' }] };
  if (Array.isArray(schema.oneOf)) return { ...schema, oneOf: [...schema.oneOf, { type: 'null' }] };
  if (Array.isArray(schema.anyOf)) return { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  const withType = typeof schema.type === 'string' ? { ...schema, type: [schema.type, 'null'] } : schema;
  return Array.isArray(schema.enum) ? { ...withType, enum: [...schema.enum, null] } : withType;
}

/** The named component schemas reachable from `roots`, so we convert and compile only what we serve. */
export function reachableSchemas(spec: OpenApiDocument, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith(COMPONENT_PREFIX)) {
      const name = ref.slice(COMPONENT_PREFIX.length);
      if (!seen.has(name)) {
        seen.add(name);
        visit(spec.components.schemas[name]);
      }
    }
    Object.values(node).forEach(visit);
  };
  roots.forEach((root) => visit({ $ref: `${COMPONENT_PREFIX}${root}` }));
  return [...seen];
}
