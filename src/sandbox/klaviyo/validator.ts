import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Violation } from './errors';
import type { BodyOperationId, OperationSpec } from './operations';
import { reachableSchemas, toJsonSchema } from './schema';
import type { JsonObject, OpenApiDocument } from './spec';
import type {
  FlowActionUpdateBody, FlowCreateBody, FlowUpdateBody, RelationshipBody, SegmentCreateBody, SegmentUpdateBody, TagCreateBody, TemplateCreateBody,
} from './provision-store';
import type { BulkCreateEventsBody, BulkImportProfilesBody, CreateEventBody, ProfileUpsertBody } from './wire';

export interface BodyTypes {
  create_event: CreateEventBody;
  bulk_create_events: BulkCreateEventsBody;
  create_or_update_profile: ProfileUpsertBody;
  bulk_import_profiles: BulkImportProfilesBody;
  create_segment: SegmentCreateBody;
  update_segment: SegmentUpdateBody;
  create_template: TemplateCreateBody;
  create_flow: FlowCreateBody;
  update_flow: FlowUpdateBody;
  update_flow_action: FlowActionUpdateBody;
  create_tag: TagCreateBody;
  tag_flows: RelationshipBody;
  tag_segments: RelationshipBody;
}

export type BodyValidators = { readonly [K in BodyOperationId]: ValidateFunction<BodyTypes[K]> };

const COMPONENTS_ID = 'klaviyo-components';

/** Compiles the request-body schema of every served POST operation from the spec (ajv, draft-07, formats). */
export function compileBodyValidators(spec: OpenApiDocument, operations: readonly OperationSpec[]): BodyValidators {
  const roots = operations.flatMap((op) => (op.bodySchema ? [op.bodySchema] : []));
  const refBase = `${COMPONENTS_ID}#/definitions/`;
  const definitions: JsonObject = {};
  for (const name of reachableSchemas(spec, roots)) definitions[name] = toJsonSchema(spec.components.schemas[name], refBase);

  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  addFormats(ajv);
  ajv.addSchema({ $id: COMPONENTS_ID, definitions });

  const compile = <K extends BodyOperationId>(id: K): ValidateFunction<BodyTypes[K]> => {
    const schema = operations.find((op) => op.id === id)?.bodySchema;
    if (!schema) throw new Error(`no request body schema for ${id}`);
    return ajv.compile<BodyTypes[K]>({ $ref: `${refBase}${schema}` });
  };
  return {
    create_event: compile('create_event'),
    bulk_create_events: compile('bulk_create_events'),
    create_or_update_profile: compile('create_or_update_profile'),
    bulk_import_profiles: compile('bulk_import_profiles'),
    create_segment: compile('create_segment'),
    update_segment: compile('update_segment'),
    create_template: compile('create_template'),
    create_flow: compile('create_flow'),
    update_flow: compile('update_flow'),
    update_flow_action: compile('update_flow_action'),
    create_tag: compile('create_tag'),
    tag_flows: compile('tag_flows'),
    tag_segments: compile('tag_segments'),
  };
}

const fieldOf = (pointer: string): string => pointer.split('/').pop() || 'data';

/**
 * ajv reports every failed branch of a nullable ref or a oneOf; Klaviyo reports the problem. Keep the most specific
 * error per location: drop the "or null" branch and the anyOf/oneOf summaries when a deeper reason exists, and fold
 * alternative type errors at one pointer into one message.
 */
export function violationsFromAjv(errors: readonly ErrorObject[]): Violation[] {
  const relevant = errors.filter((e) => !(e.keyword === 'type' && e.params.type === 'null'));
  const specific = relevant.filter((e) => {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') return true;
    return !relevant.some((o) => o !== e && o.keyword !== 'anyOf' && o.keyword !== 'oneOf'
      && o.instancePath.startsWith(e.instancePath));
  });
  const byPointer = new Map<string, Violation>();
  const typesAt = new Map<string, string[]>();
  for (const error of specific) {
    const pointer = error.keyword === 'required'
      ? `${error.instancePath}/${String(error.params.missingProperty)}`
      : error.instancePath || '/data';
    const field = fieldOf(pointer);
    if (error.keyword === 'type') {
      const types = [...(typesAt.get(pointer) ?? []), String(error.params.type)];
      typesAt.set(pointer, types);
      byPointer.set(pointer, { pointer, detail: `'${field}' must be of type ${types.join(' or ')}.` });
      continue;
    }
    if (byPointer.has(pointer)) continue;
    byPointer.set(pointer, { pointer, detail: describe(error, field) });
  }
  return [...byPointer.values()];
}

function describe(error: ErrorObject, field: string): string {
  switch (error.keyword) {
    case 'required':
      return `'${field}' is a required field.`;
    case 'enum':
      return `'${String(error.data)}' is not a valid choice for '${field}'.`
        + ` Valid choices: ${(error.params.allowedValues as unknown[]).map(String).join(', ')}.`;
    case 'format':
      return `'${String(error.data)}' is not a valid ${String(error.params.format)} for '${field}'.`;
    default:
      return `'${field}' ${error.message ?? 'is invalid'}.`;
  }
}
