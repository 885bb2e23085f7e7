/** The confirmation step before a rotation or a revocation: a page with one button. */
import type { TokenMeta } from '../../../service/token-service.js';
import { CSRF_FIELD } from '../csrf.js';
import { html, type Html } from '../html.js';
import { GRACE_FIELD, type GraceChoice } from '../rotate-form.js';
import { href, instant, layout, type PageContext } from './layout.js';

/** The two actions that need confirming. */
type ConfirmAction = 'rotate' | 'revoke';

/** The rotate confirmation's grace picker. */
export interface GracePickerView {
  readonly choices: readonly GraceChoice[];
  /** The value selected. */
  readonly selected: string;
  /** Set when the posted choice was refused: the sentence shown under the picker, without the final period. */
  readonly problem?: string | undefined;
}

/** What is confirmed: a revocation, or a rotation with its grace picker. */
export type Confirmation = { readonly action: 'revoke' } | { readonly action: 'rotate'; readonly grace: GracePickerView };

const WORDING: Readonly<Record<ConfirmAction, { heading: string; consequence: string; button: string }>> = {
  rotate: {
    heading: 'Rotate token',
    consequence:
      'A new token with the same name, scopes and lifetime replaces it, and is shown once. The old token stops working at once, or when the time chosen below ends: update every app and script that uses it.',
    button: 'Rotate token',
  },
  revoke: {
    heading: 'Revoke token',
    consequence: 'Every app and script using it stops working at once. This cannot be undone.',
    button: 'Revoke token',
  },
};

function gracePicker(picker: GracePickerView): Html {
  const invalid = picker.problem === undefined ? html`` : html` aria-invalid="true" aria-describedby="${GRACE_FIELD}-problem"`;
  const options = picker.choices.map((choice) => {
    const selected = choice.value === picker.selected ? html` selected` : html``;
    return html`<option value="${choice.value}"${selected}>${choice.label}</option>`;
  });
  const problem =
    picker.problem === undefined ? html`` : html`<p class="problem" id="${GRACE_FIELD}-problem">${picker.problem}.</p>`;
  return html`<div class="field"><label for="${GRACE_FIELD}">Keep the old token working for</label>
<select id="${GRACE_FIELD}" name="${GRACE_FIELD}"${invalid}>${options}</select>
<span class="hint">Time to move every app and script to the new token; it is listed as replaced until then.</span>${problem}</div>`;
}

function refusalAlert(picker: GracePickerView): Html {
  if (picker.problem === undefined) return html``;
  return html`<div class="alert" role="alert" data-error-code="validation_failed">
<p>The token was not rotated: see the problem below.</p>
<p class="hint">Error code: <code>validation_failed</code></p>
</div>`;
}

/**
 * "Rotate token “x”?" with the token's details, a confirm button (a form post) and a way back;
 * a rotation's form also asks how long the old token keeps working.
 */
export function confirmPage(context: PageContext, token: TokenMeta, confirmation: Confirmation): Html {
  const { action } = confirmation;
  const wording = WORDING[action];
  const grace = confirmation.action === 'rotate' ? confirmation.grace : undefined;
  const heading = `${wording.heading} “${token.name}”?`;
  return layout(
    context,
    heading,
    html`<h1>${heading}</h1>
${grace === undefined ? '' : refusalAlert(grace)}
<p>${wording.consequence}</p>
<dl>
<dt>Token</dt><dd><code>${token.hint}…</code></dd>
<dt>Scopes</dt><dd>${token.scopes.join(', ')}</dd>
<dt>Created</dt><dd>${instant(token.createdAt, '')}</dd>
<dt>Expires</dt><dd>${instant(token.expiresAt, 'Never')}</dd>
<dt>Last used</dt><dd>${instant(token.lastUsedAt, 'Never')}</dd>
</dl>
<form method="post" action="${href(context, `/${encodeURIComponent(token.id)}/${action}`)}" id="confirm-form">
<input type="hidden" name="${CSRF_FIELD}" value="${context.csrf}">
${grace === undefined ? '' : gracePicker(grace)}
<button type="submit" class="danger" id="confirm">${wording.button}</button>
<a href="${href(context, '/')}">Cancel</a>
</form>`,
  );
}
