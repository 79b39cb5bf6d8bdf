import fs from 'fs';
import path from 'path';
import zlib from 'zlib';

export const SPEC_REVISION = '2026-07-15';
const SPEC_FILE = path.join('specs', 'klaviyo', `openapi-${SPEC_REVISION}.json.gz`);

export type JsonObject = { [key: string]: unknown };

export interface OpenApiOperation {
  readonly operationId: string;
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: JsonObject }>> };
  readonly 'x-klaviyo-ratelimit'?: { readonly burst: string; readonly steady: string };
}

export interface OpenApiDocument {
  readonly info: { readonly version: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, JsonObject>> };
}

/** The folder holding package.json, found by walking up, so the spec resolves from src/ (ts-jest) and dist/ alike. */
export function packageRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
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
  const raw = zlib.gunzipSync(fs.readFileSync(path.join(packageRoot(), SPEC_FILE))).toString('utf8');
  const parsed: unknown = JSON.parse(raw);
  if (!isOpenApiDocument(parsed)) throw new Error(`${SPEC_FILE} is not an OpenAPI document`);
  if (parsed.info.version !== SPEC_REVISION) {
    throw new Error(`${SPEC_FILE} has revision ${parsed.info.version}, expected ${SPEC_REVISION}`);
  }
  cached = parsed;
  return parsed;
}
