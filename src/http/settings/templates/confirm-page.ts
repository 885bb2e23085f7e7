/** The confirmation step before a rotation or a revocation: a page with one button. */
import type { TokenMeta } from '../../../service/token-service.js';
import { CSRF_FIELD } from '../csrf.js';
import { html, type Html } from '../html.js';
import { href, instant, layout, type PageContext } from './layout.js';

/** The two actions that need confirming. */
export type ConfirmAction = 'rotate' | 'revoke';

const WORDING: Readonly<Record<ConfirmAction, { heading: string; consequence: string; button: string }>> = {
  rotate: {
    heading: 'Rotate token',
    consequence:
      'A new token with the same name, scopes and lifetime replaces it, and is shown once. The old token stops working at once: update every app and script that uses it.',
    button: 'Rotate token',
  },
  revoke: {
    heading: 'Revoke token',
    consequence: 'Every app and script using it stops working at once. This cannot be undone.',
    button: 'Revoke token',
  },
};

/** "Rotate token “x”?" with the token's details, a confirm button (a form post) and a way back. */
export function confirmPage(context: PageContext, action: ConfirmAction, token: TokenMeta): Html {
  const wording = WORDING[action];
  const heading = `${wording.heading} “${token.name}”?`;
  return layout(
    context,
    heading,
    html`<h1>${heading}</h1>
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
<button type="submit" class="danger" id="confirm">${wording.button}</button>
<a href="${href(context, '/')}">Cancel</a>
</form>`,
  );
}
