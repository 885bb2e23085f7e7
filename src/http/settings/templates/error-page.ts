/** The page answering an error: what happened, its stable code, and a way back. */
import type { PatError } from '../../../errors.js';
import { html, type Html } from '../html.js';
import { href, layout, type PageContext } from './layout.js';

/** Headings of errors that are not failures; the others are "Something went wrong". */
const HEADINGS: Readonly<Record<string, string>> = { form_already_submitted: 'This form was already sent' };

/** The error's message, code and status in an alert marked with `data-error-code`. */
export function errorPage(context: PageContext, error: PatError): Html {
  const heading = HEADINGS[error.code] ?? 'Something went wrong';
  return layout(
    context,
    heading,
    html`<h1>${heading}</h1>
<div class="alert" role="alert" data-error-code="${error.code}">
<p>${error.message}</p>
<p class="hint">Error code: <code>${error.code}</code> (HTTP ${error.status})</p>
</div>
<p><a href="${href(context, '/')}">Back to your tokens</a></p>`,
  );
}
