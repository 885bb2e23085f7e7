/**
 * The rotate confirmation's form: how long the old token keeps working beside its successor
 * (the service's `graceSeconds`), offered as a few choices within `maxRotationGraceSeconds`.
 */

/** Name of the form field, as in the JSON API's body of `POST /:id/rotate`. */
export const GRACE_FIELD = 'graceSeconds';

/** One option of the grace picker. */
export interface GraceChoice {
  /** The field's value: a whole number of seconds. */
  readonly value: string;
  readonly label: string;
}

/** The grace periods offered, in seconds, with their labels. */
const PRESETS: readonly (readonly [seconds: number, label: string])[] = [
  [0, 'no time (stop it now)'],
  [3600, '1 hour'],
  [86_400, '1 day'],
  [604_800, '7 days'],
];

/** The value chosen unless the user picks another: the old token stops at once. */
export const NO_GRACE = '0';

/** The choices at most `maxGraceSeconds` long ("no time" is always offered). */
export function graceChoices(maxGraceSeconds: number): GraceChoice[] {
  return PRESETS.filter(([seconds]) => seconds <= maxGraceSeconds).map(([seconds, label]) => ({ value: String(seconds), label }));
}

/** The posted grace period in seconds, or undefined unless it is exactly one of `choices`. */
export function readGraceSeconds(body: Readonly<Record<string, unknown>>, choices: readonly GraceChoice[]): number | undefined {
  const posted = body[GRACE_FIELD];
  const choice = choices.find((offered) => offered.value === posted);
  return choice === undefined ? undefined : Number(choice.value);
}
