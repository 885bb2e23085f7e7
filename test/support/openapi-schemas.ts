/**
 * Validates values against schemas of an OpenAPI 3.1 document with Ajv's draft 2020-12 validator,
 * addressing them by JSON pointer into the document (so `$ref`s resolve as a client's would).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenApiDocument } from '../../src/index.js';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A JSON pointer fragment from path segments: `['paths', '/tokens', 'post']` → `/paths/~1tokens/post`. */
export function pointer(...segments: readonly string[]): string {
  return segments.map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** What a validator answers: valid, or Ajv's errors as text. */
export type SchemaCheck = (value: unknown) => { readonly valid: boolean; readonly errors: string };

/** Compiles schemas of `document`, addressed by JSON pointer. */
export function schemaChecker(document: OpenApiDocument): (at: string) => SchemaCheck {
  // OpenAPI's own keywords (`x-…`, `paths`…) are not JSON Schema keywords: strict mode is off.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (text: string) => ISO_DATE_TIME.test(text) && !Number.isNaN(Date.parse(text)));
  ajv.addFormat('uuid', UUID);
  ajv.addSchema(document as object, 'openapi.json');
  const compiled = new Map<string, ValidateFunction>();
  return (at) => {
    let validate = compiled.get(at);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `openapi.json#${at}` });
      compiled.set(at, validate);
    }
    const check = validate;
    return (value) => {
      const valid = check(value);
      return { valid, errors: valid ? '' : ajv.errorsText(check.errors as ErrorObject[]) };
    };
  };
}
