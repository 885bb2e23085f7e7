/**
 * express-validator chains for the management routes. The per-field rules come from
 * `service/token-input.ts`, so HTTP and `pat.tokens` accept exactly the same requests.
 */
import type { RequestHandler } from 'express';
import { body, checkExact, validationResult, type ValidationError } from 'express-validator';
import { ValidationFailedError, type FieldProblem } from '../errors.js';
import { LEAK_REPORT_MAX_TOKENS } from './routes/leaked.js';
import type { PatConfig } from '../options.js';
import {
  EXPIRY_REQUIRED,
  expiresAtProblem,
  expiresInDaysProblem,
  nameProblem,
  scopeProblem,
  scopesListProblem,
} from '../service/token-input.js';

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

/** Validators of `POST /` (create): name, scopes, and at most one of expiresInDays / expiresAt. */
export function createTokenBodyValidators(config: PatConfig): RequestHandler[] {
  const { maxLifetimeDays } = config;
  return [
    requireJsonObject,
    checkExact(
      [
        body('name').custom((value) => fail(nameProblem(value))),
        body('scopes')
          .custom((value) => fail(scopesListProblem(value)))
          .bail(),
        body('scopes.*').custom((value) => fail(scopeProblem(value, config.scopes))),
        body('expiresInDays')
          .custom((value, { req }) => {
            const other: unknown = (req.body as Record<string, unknown>).expiresAt;
            return fail(config.requireExpiry && value === undefined && other === undefined ? EXPIRY_REQUIRED : undefined);
          }),
        body('expiresInDays')
          .optional()
          .custom((value) => fail(expiresInDaysProblem(value, maxLifetimeDays))),
        body('expiresAt')
          .optional()
          .custom((value, { req }) => {
            const other: unknown = (req.body as Record<string, unknown>).expiresInDays;
            if (other !== undefined) throw new Error('give either expiresInDays or expiresAt, not both');
            return fail(expiresAtProblem(value, maxLifetimeDays, config.now()));
          }),
      ],
      { locations: ['body'] },
    ),
    rejectInvalidRequest,
  ];
}

/**
 * Validators of `POST /leaked`: 1–100 strings of at most 128 characters (a token is at most 55),
 * nothing else; the largest valid report fits the 16 kB body limit.
 */
export const leakReportValidators: RequestHandler[] = [
  requireJsonObject,
  checkExact(
    [
      body('tokens')
        .isArray({ min: 1, max: LEAK_REPORT_MAX_TOKENS })
        .withMessage(`must be an array of 1 to ${LEAK_REPORT_MAX_TOKENS} strings`),
      body('tokens.*').isString().withMessage('must be a string').bail().isLength({ max: 128 }).withMessage('must be at most 128 characters'),
    ],
    { locations: ['body'] },
  ),
  rejectInvalidRequest,
];
