/** The one-time panel showing a token just created or rotated, with its copy button. */
import type { IssuedToken } from '../../../service/token-service.js';
import { html, type Html } from '../html.js';

/** Why the token was issued. */
export type IssuedBy = 'created' | 'rotated';

/**
 * The plaintext in a read-only field (select-all works without script) and a copy button that
 * the page's script shows. Only ever rendered in the response to the POST that issued it.
 */
export function issuedPanel(issued: IssuedToken, by: IssuedBy): Html {
  const heading =
    by === 'created' ? html`Your new token “${issued.name}”` : html`Token “${issued.name}” was rotated: here is its replacement`;
  return html`<section class="panel" id="new-token-panel" aria-labelledby="new-token-heading">
<h2 id="new-token-heading">${heading}</h2>
<p class="warning">Copy it now: it will not be shown again. Only a digest of it is stored, so if you lose it you will have to rotate it or create another.${
    by === 'rotated' ? ' The old token has stopped working.' : ''
  }</p>
<p><label for="new-token">Token</label>
<input id="new-token" type="text" readonly value="${issued.token}" autocomplete="off" spellcheck="false">
<button type="button" id="copy-token" hidden>Copy</button> <span id="copy-status" role="status"></span></p>
</section>`;
}
