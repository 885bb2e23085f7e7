/** The main page: a one-time token panel or an alert, the token table and the create form. */
import type { PatError } from '../../../errors.js';
import type { TokenMeta } from '../../../service/token-service.js';
import { html, type Html } from '../html.js';
import { createForm, type CreateFormView } from './create-form.js';
import { issuedPanel, type Issued } from './issued-panel.js';
import { layout, type PageContext } from './layout.js';
import { tokenTable } from './token-table.js';

/** What the main page shows besides the table and the form. */
export interface ListPageView {
  readonly tokens: readonly TokenMeta[];
  readonly form: CreateFormView;
  /** A token just issued by this very request. */
  readonly issued?: Issued | undefined;
  /** Why the create form was refused. */
  readonly refusal?: PatError | undefined;
  /** A short confirmation of what the previous request did. */
  readonly notice?: string | undefined;
}

function refusalAlert(error: PatError): Html {
  return html`<div class="alert" role="alert" data-error-code="${error.code}">
<p>The token was not created: ${error.code === 'validation_failed' ? 'see the problems below.' : error.message}</p>
<p class="hint">Error code: <code>${error.code}</code></p>
</div>`;
}

/** The whole main page. */
export function listPage(context: PageContext, view: ListPageView): Html {
  return layout(
    context,
    context.title,
    html`<h1>${context.title}</h1>
<p>Personal access tokens let scripts and other apps use the API as you, limited to the scopes you choose. Treat them like passwords.</p>
${view.notice === undefined ? '' : html`<p class="notice" role="status">${view.notice}</p>`}
${view.issued === undefined ? '' : issuedPanel(view.issued)}
${view.refusal === undefined ? '' : refusalAlert(view.refusal)}
${tokenTable(context, view.tokens)}
${createForm(context, view.form)}`,
  );
}
