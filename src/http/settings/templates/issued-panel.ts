/** The one-time panel showing a token just created or rotated, with its copy button. */
import type { IssuedToken } from '../../../service/token-service.js';
import { html, type Html } from '../html.js';
import { instant } from './layout.js';

/** A token just issued, and how: created, or by rotating a token that stops working at `oldStopsAt`. */
export type Issued =
  | { readonly token: IssuedToken; readonly by: 'created' }
  | { readonly token: IssuedToken; readonly by: 'rotated'; readonly oldStopsAt: Date };

function oldTokenNote(issued: Issued): Html {
  if (issued.by === 'created') return html``;
  if (issued.oldStopsAt.getTime() <= issued.token.createdAt.getTime()) return html` The old token has stopped working.`;
  return html` The old token keeps working until ${instant(issued.oldStopsAt, '')}: move every app and script to this one before then.`;
}

/**
 * The plaintext in a read-only field (select-all works without script) and a copy button that
 * the page's script shows. Only ever rendered in the response to the POST that issued it.
 */
export function issuedPanel(issued: Issued): Html {
  const { name } = issued.token;
  const heading =
    issued.by === 'created' ? html`Your new token “${name}”` : html`Token “${name}” was rotated: here is its replacement`;
  return html`<section class="panel" id="new-token-panel" aria-labelledby="new-token-heading">
<h2 id="new-token-heading">${heading}</h2>
<p class="warning">Copy it now: it will not be shown again. Only a digest of it is stored, so if you lose it you will have to rotate it or create another.${oldTokenNote(
    issued,
  )}</p>
<p><label for="new-token">Token</label>
<input id="new-token" type="text" readonly value="${issued.token.token}" autocomplete="off" spellcheck="false">
<button type="button" id="copy-token" hidden>Copy</button> <span id="copy-status" role="status"></span></p>
</section>`;
}
