/**
 * The create form of the settings page: its expiry choices, reading a posted form into the
 * service's {@link CreateTokenInput}, and placing the service's field problems on form fields.
 * The rules themselves are the service's, so the page and the JSON API accept the same tokens.
 */
import { ValidationFailedError, type FieldProblem } from '../../errors.js';
import type { CreateTokenInput } from '../../service/token-input.js';

/** Lifetimes offered in the expiry picker, in days (those above `maxLifetimeDays` are left out). */
const PRESET_DAYS = [7, 30, 60, 90] as const;
/** The picker's value for a date chosen in the date field. */
export const CUSTOM_EXPIRY = 'custom';
/** The picker's value for a token that never expires (offered unless `requireExpiry`). */
export const NO_EXPIRY = 'none';

/** One option of the expiry picker. */
export interface ExpiryChoice {
  readonly value: string;
  readonly label: string;
}

/** The form's fields as the user filled them in, to show them again after a problem. */
export interface CreateFormValues {
  readonly name: string;
  readonly scopes: readonly string[];
  readonly expiry: string;
  /** `YYYY-MM-DD` from the date field, used with the custom expiry. */
  readonly expiresOn: string;
}

/** The fields a problem can be shown next to. */
export type FormField = 'name' | 'scopes' | 'expiry' | 'expiresOn';

/** A problem placed on a form field, in words for the page. */
export interface FormProblem {
  readonly field: FormField;
  /** A whole sentence without the final period, e.g. `Name must not be empty`. */
  readonly message: string;
}

const LABELS: Readonly<Record<FormField, string>> = {
  name: 'Name',
  scopes: 'Scopes',
  expiry: 'Expiration',
  expiresOn: 'Expiration date',
};

/** The options of the expiry picker for an app's lifetime rules. */
export function expiryChoices(maxLifetimeDays: number, requireExpiry: boolean): ExpiryChoice[] {
  const presets = PRESET_DAYS.filter((days) => days <= maxLifetimeDays);
  return [
    ...presets.map((days) => ({ value: String(days), label: `${days} days` })),
    { value: CUSTOM_EXPIRY, label: 'Custom date…' },
    ...(requireExpiry ? [] : [{ value: NO_EXPIRY, label: 'No expiration' }]),
  ];
}

/** The empty form: 30 days when offered, else the first choice. */
export function blankForm(choices: readonly ExpiryChoice[]): CreateFormValues {
  const expiry = choices.some((choice) => choice.value === '30') ? '30' : (choices[0]?.value ?? CUSTOM_EXPIRY);
  return { name: '', scopes: [], expiry, expiresOn: '' };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function postedScopes(body: Readonly<Record<string, unknown>>): unknown[] {
  const { scopes } = body;
  if (scopes === undefined) return [];
  return Array.isArray(scopes) ? scopes : [scopes];
}

/** The posted form's values (urlencoded: each a string or a list of strings), to show them again. */
export function readFormValues(body: Readonly<Record<string, unknown>>): CreateFormValues {
  return {
    name: text(body.name),
    scopes: postedScopes(body).filter((scope): scope is string => typeof scope === 'string'),
    expiry: text(body.expiry),
    expiresOn: text(body.expiresOn),
  };
}

/**
 * The input for `pat.tokens.create` from a posted form. Values pass through unchanged (a name
 * posted twice stays a list), so the service refuses exactly what it refuses over JSON.
 * @throws ValidationFailedError (`validation_failed`, field `expiry`) for a choice the picker never offers.
 */
export function createInputOf(
  body: Readonly<Record<string, unknown>>,
  values: CreateFormValues,
  choices: readonly ExpiryChoice[],
): CreateTokenInput {
  if (!choices.some((choice) => choice.value === values.expiry)) {
    throw new ValidationFailedError([{ field: 'expiry', message: 'must be one of the offered choices' }]);
  }
  const input = { name: body.name as string, scopes: postedScopes(body) as string[] };
  if (values.expiry === NO_EXPIRY) return input;
  // An empty date is passed on as '' (refused by the service), never as "no expiry".
  if (values.expiry === CUSTOM_EXPIRY) return { ...input, expiresAt: (body.expiresOn ?? '') as string };
  return { ...input, expiresInDays: Number(values.expiry) };
}

/**
 * Places the service's problems (`name`, `scopes[2]`, `expiresInDays`, `expiresAt`, or the form's
 * own `expiry`) on the form's fields, in words.
 */
export function formProblems(problems: readonly FieldProblem[], values: CreateFormValues): FormProblem[] {
  return problems.map(({ field, message }) => {
    const element = /^scopes\[(\d+)\]$/.exec(field);
    if (element) return { field: 'scopes', message: `“${values.scopes[Number(element[1])] ?? ''}” ${message}` };
    const onField: FormField =
      field === 'name' || field === 'scopes' || field === 'expiry' ? field : field === 'expiresAt' ? 'expiresOn' : 'expiry';
    const words = onField === 'expiresOn' && values.expiresOn === '' ? 'is required: choose a date' : message;
    return { field: onField, message: `${LABELS[onField]} ${words}` };
  });
}
