import fs from 'fs';
import path from 'path';
import zlib from 'zlib';
import { fromPackageRoot } from '../../util/package-root';

export const SPEC_REVISION = '2026-07-15';
const SPEC_FILE = path.join('specs', 'klaviyo', `openapi-${SPEC_REVISION}.json.gz`);

export type JsonObject = { [key: string]: unknown };

export interface OpenApiOperation {
  readonly operationId: string;
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: JsonObject }>> };
  readonly 'x-klaviyo-ratelimit'?: { readonly burst: string; readonly steady: string; readonly daily?: string };
  /** The private-key scopes the operation needs, all of them. */
  readonly 'x-klaviyo-scopes'?: readonly string[];
}

export interface OpenApiDocument {
  readonly info: { readonly version: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, JsonObject>> };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOpenApiDocument(value: unknown): value is OpenApiDocument {
  return isObject(value) && isObject(value.info) && isObject(value.paths) && isObject(value.components)
    && isObject(value.components.schemas);
}

let cached: OpenApiDocument | null = null;

/** Parsing 3 MB of JSON costs ~50 ms, so every sandbox in a process shares one copy (it is never mutated). */
export function loadKlaviyoSpec(): OpenApiDocument {
  if (cached) return cached;
  const raw = zlib.gunzipSync(fs.readFileSync(fromPackageRoot(SPEC_FILE))).toString('utf8');
  const parsed: unknown = JSON.parse(raw);
  if (!isOpenApiDocument(parsed)) throw new Error(`${SPEC_FILE} is not an OpenAPI document`);
  if (parsed.info.version !== SPEC_REVISION) {
    throw new Error(`${SPEC_FILE} has revision ${parsed.info.version}, expected ${SPEC_REVISION}`);
  }
  cached = parsed;
  return parsed;
}
