/** The table of the user's active tokens, with links to the rotate and revoke confirmations. */
import type { TokenMeta } from '../../../service/token-service.js';
import { html, type Html } from '../html.js';
import { href, instant, type PageContext } from './layout.js';

/** Rotate and revoke links; a token already replaced (in its rotation's grace period) can only be revoked. */
function actions(context: PageContext, token: TokenMeta): Html {
  const id = encodeURIComponent(token.id);
  const revoke = html`<a href="${href(context, `/${id}/revoke`)}">Revoke…</a>`;
  if (token.replacedById !== null) return html`<span class="hint">Replaced; works until ${instant(token.revokedAt, '')}</span> ${revoke}`;
  return html`<a href="${href(context, `/${id}/rotate`)}">Rotate…</a> ${revoke}`;
}

function row(context: PageContext, token: TokenMeta): Html {
  return html`<tr data-token-id="${token.id}">
<td class="name">${token.name}</td>
<td class="scopes">${token.scopes.map((scope) => html`<code>${scope}</code> `)}</td>
<td><code>${token.hint}…</code></td>
<td>${instant(token.createdAt, '')}</td>
<td>${instant(token.expiresAt, 'Never')}</td>
<td>${instant(token.lastUsedAt, 'Never')}</td>
<td class="mono">${token.lastUsedIp ?? '—'}</td>
<td class="actions">${actions(context, token)}</td>
</tr>
`;
}

/** The "Your tokens" section: a table, or a sentence when there are none. */
export function tokenTable(context: PageContext, tokens: readonly TokenMeta[]): Html {
  if (tokens.length === 0) {
    return html`<section aria-labelledby="tokens-heading"><h2 id="tokens-heading">Your tokens</h2><p id="no-tokens">You have no active tokens.</p></section>`;
  }
  return html`<section aria-labelledby="tokens-heading">
<h2 id="tokens-heading">Your tokens</h2>
<table id="tokens">
<thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Token</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Last used from</th><th scope="col">Actions</th></tr></thead>
<tbody>
${tokens.map((token) => row(context, token))}</tbody>
</table>
</section>`;
}
