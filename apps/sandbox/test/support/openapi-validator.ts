import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv, formats: string[]) => Ajv;

// The project keeps its own copy of the vendors' OpenAPI files in specs/ at the repository root.
export const SPECS_DIR = process.env['VENDOR_SPECS_DIR'] ?? fileURLToPath(new URL('../../../../specs', import.meta.url));
if (!existsSync(SPECS_DIR)) {
  throw new Error(`Vendor OpenAPI specs not found at ${SPECS_DIR}: the repository's specs/ folder is missing, or VENDOR_SPECS_DIR points elsewhere`);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const KEPT_FORMATS = new Set(['date-time', 'date', 'email', 'int32', 'int64', 'float', 'double', 'uuid']);

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `nullable: true` becomes a null type (or an
 * anyOf with null), formats ajv does not know are dropped, and local `#/components`
 * refs are pointed at the document they came from.
 */
function toJsonSchema(node: Json, documentId: string): Json {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, documentId));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable' || key === 'example' || key === 'discriminator') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) out[key] = `${documentId}${value}`;
    else if (key === 'format' && typeof value === 'string' && !KEPT_FORMATS.has(value)) continue;
    else out[key] = toJsonSchema(value, documentId);
  }
  if (node['nullable'] !== true) return out;
  if (typeof out['type'] === 'string') {
    out['type'] = [out['type'], 'null'];
    if (Array.isArray(out['enum'])) out['enum'] = [...out['enum'], null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

export interface SpecValidator {
  /** Validator for the response body of an operation, as the spec declares it. */
  response(path: string, method: string, status: string): ValidateFunction;
  /** Validator for a named component schema. */
  component(name: string): ValidateFunction;
}

/** Loads one vendor spec (e.g. `servicetitan/crm-v2.json`) into ajv. */
export function loadSpec(relativePath: string, patch?: (spec: JsonObject) => void): SpecValidator {
  const spec = JSON.parse(readFileSync(`${SPECS_DIR}/${relativePath}`, 'utf8')) as JsonObject;
  patch?.(spec);
  const documentId = `spec:${relativePath}`;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv, [...KEPT_FORMATS]);
  ajv.addSchema({ $id: documentId, components: toJsonSchema(spec['components'] ?? {}, documentId) } as object);
  const paths = spec['paths'] as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Json }> }> }>>;
  return {
    response(path, method, status) {
      const operation = paths[path]?.[method.toLowerCase()];
      const schema = operation?.responses[status]?.content?.['application/json']?.schema;
      if (schema === undefined) throw new Error(`${relativePath}: no ${status} JSON schema for ${method} ${path}`);
      return ajv.compile(toJsonSchema(schema, documentId) as object);
    },
    component(name) {
      return ajv.compile({ $ref: `${documentId}#/components/schemas/${name}` });
    },
  };
}

/** ajv errors as short readable lines for assertion messages. */
export function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`)
    .join('\n');
}
