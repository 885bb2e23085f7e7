/**
 * express-validator chains for the management routes, built from the body definitions of
 * `openapi/bodies.ts` (whose rules come from `service/token-input.ts`), so HTTP, `pat.tokens` and
 * the OpenAPI document all follow the same rules.
 */
import type { RequestHandler } from 'express';
import { body, checkExact, validationResult, type ValidationChain, type ValidationError } from 'express-validator';
import { ValidationFailedError, type FieldProblem } from '../errors.js';
import type { BodyDefinition, JsonBody } from './openapi/bodies.js';

function fail(problem: string | undefined): true {
  if (problem !== undefined) throw new Error(problem);
  return true;
}

/**
 * Anything shaped like a token, whatever its prefix. An unknown field's name is echoed back to the
 * client, and a response (logged by a proxy, say) must never carry a token a client sent.
 */
const TOKEN_SHAPED = /[a-z][a-z0-9]{0,15}_[0-9A-Za-z]{32,}/g;

function toProblems(error: ValidationError): FieldProblem[] {
  if (error.type === 'unknown_fields') {
    return error.fields.map((field) => ({ field: field.path.replace(TOKEN_SHAPED, '[redacted]'), message: 'is not a known field' }));
  }
  if (error.type === 'field') return [{ field: error.path, message: String(error.msg) }];
  return [{ field: 'body', message: String(error.msg) }];
}

/**
 * Middleware placed after express-validator chains: answers 400 `validation_failed`, listing every
 * problem they collected (unknown fields from `checkExact` included) as `{ field, message }`.
 * @example app.post('/notes', body('text').isString(), checkExact(), rejectInvalidRequest, handler);
 */
export const rejectInvalidRequest: RequestHandler = (req, _res, next) => {
  const errors = validationResult(req).array();
  if (errors.length > 0) throw new ValidationFailedError(errors.flatMap(toProblems));
  next();
};

/**
 * Middleware placed before express-validator chains: the body must be a JSON object (400
 * `validation_failed` otherwise) before any field is looked at. Keys named like Object.prototype
 * members (`__proto__`, `constructor`, `toString`…) are refused here as unknown fields:
 * express-validator's `checkExact` looks keys up on a plain object, so it takes them for known
 * fields, and throws (a 500) when their value is `null`.
 */
export const requireJsonObject: RequestHandler = (req, _res, next) => {
  const value: unknown = req.body;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationFailedError([{ field: 'body', message: 'must be a JSON object' }]);
  }
  const inherited = Object.keys(value).filter((key) => key in Object.prototype);
  if (inherited.length > 0) {
    throw new ValidationFailedError(inherited.map((field) => ({ field, message: 'is not a known field' })));
  }
  next();
};

/** A request without a body (no JSON content type) counts as `{}` where the body is optional. */
const absentBodyIsEmpty: RequestHandler = (req, _res, next) => {
  if (req.body === undefined) req.body = {};
  next();
};

/** Every express-validator chain of `definition`: one per field (and its elements), one per rule. */
function chainsOf(definition: BodyDefinition): ValidationChain[] {
  const chains: ValidationChain[] = [];
  for (const [name, field] of Object.entries(definition.fields)) {
    const chain = field.required ? body(name) : body(name).optional();
    chains.push(chain.custom((value, { req }) => fail(field.problem(value, req.body as JsonBody))));
    const { itemProblem } = field;
    if (itemProblem !== undefined) chains.push(body(`${name}.*`).custom((value) => fail(itemProblem(value))));
  }
  for (const rule of definition.rules) {
    chains.push(body(rule.field).custom((_value, { req }) => fail(rule.problem(req.body as JsonBody))));
  }
  return chains;
}

/**
 * The validators of a route with a JSON body (placed after `express.json`): 400
 * `validation_failed` for anything but a JSON object holding only the definition's fields, each
 * keeping its rules.
 */
export function bodyValidators(definition: BodyDefinition): RequestHandler[] {
  return [
    ...(definition.optional ? [absentBodyIsEmpty] : []),
    requireJsonObject,
    checkExact(chainsOf(definition), { locations: ['body'] }),
    rejectInvalidRequest,
  ];
}
