/** The "Create a token" form: name, scope checkboxes, expiry picker; problems next to their fields. */
import type { ScopeInfo } from '../../../scopes/registry.js';
import { CSRF_FIELD } from '../csrf.js';
import type { CreateFormValues, ExpiryChoice, FormField, FormProblem } from '../create-form.js';
import { html, type Html } from '../html.js';
import { href, type PageContext } from './layout.js';

/** What the form shows. */
export interface CreateFormView {
  readonly scopes: readonly ScopeInfo[];
  readonly choices: readonly ExpiryChoice[];
  readonly values: CreateFormValues;
  readonly problems: readonly FormProblem[];
  /** Latest allowed date of the custom expiry (`YYYY-MM-DD`), and the earliest. */
  readonly maxDate: string;
  readonly minDate: string;
}

function problemsOf(view: CreateFormView, field: FormField): Html {
  const messages = view.problems.filter((problem) => problem.field === field);
  if (messages.length === 0) return html``;
  return html`<p class="problem" id="${field}-problem">${messages.map((problem) => html`${problem.message}. `)}</p>`;
}

function describedBy(view: CreateFormView, field: FormField): Html {
  return view.problems.some((problem) => problem.field === field)
    ? html` aria-invalid="true" aria-describedby="${field}-problem"`
    : html``;
}

function scopeOption(view: CreateFormView, scope: ScopeInfo): Html {
  const checked = view.values.scopes.includes(scope.name) ? html` checked` : html``;
  const implies = scope.implies.length > 0 ? html` <span class="hint">(includes ${scope.implies.join(', ')})</span>` : html``;
  return html`<label><input type="checkbox" name="scopes" value="${scope.name}"${checked}> <code>${scope.name}</code> — ${scope.description}${implies}</label>
`;
}

function expiryOption(view: CreateFormView, choice: ExpiryChoice): Html {
  const selected = choice.value === view.values.expiry ? html` selected` : html``;
  return html`<option value="${choice.value}"${selected}>${choice.label}</option>`;
}

/** The form, posting to the router's root. */
export function createForm(context: PageContext, view: CreateFormView): Html {
  return html`<section aria-labelledby="create-heading">
<h2 id="create-heading">Create a token</h2>
<form method="post" action="${href(context, '/')}" id="create-form">
<input type="hidden" name="${CSRF_FIELD}" value="${context.csrf}">
<div class="field"><label for="name">Name</label>
<input type="text" id="name" name="name" maxlength="100" required value="${view.values.name}"${describedBy(view, 'name')}>
<span class="hint">What the token is for, e.g. “laptop CLI”.</span>${problemsOf(view, 'name')}</div>
<fieldset id="scopes"${describedBy(view, 'scopes')}><legend>Scopes</legend>
${view.scopes.map((scope) => scopeOption(view, scope))}${problemsOf(view, 'scopes')}</fieldset>
<div class="field"><label for="expiry">Expiration</label>
<select id="expiry" name="expiry"${describedBy(view, 'expiry')}>${view.choices.map((choice) => expiryOption(view, choice))}</select>${problemsOf(view, 'expiry')}</div>
<div class="field" id="custom-expiry"><label for="expiresOn">Custom expiration date (the token expires at 00:00 UTC that day)</label>
<input type="date" id="expiresOn" name="expiresOn" min="${view.minDate}" max="${view.maxDate}" value="${view.values.expiresOn}"${describedBy(view, 'expiresOn')}>${problemsOf(view, 'expiresOn')}</div>
<button type="submit">Create token</button>
</form>
</section>`;
}
