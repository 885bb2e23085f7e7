/**
 * The settings page's two static files, served by its router (the CSP allows no inline code).
 * Kept as strings so the build ships them with the compiled library, with no copy step.
 */
import type { RequestHandler } from 'express';

/** Path of the script, relative to where the router is mounted. */
export const SCRIPT_PATH = '/assets/settings.js';
/** Path of the stylesheet, relative to where the router is mounted. */
export const STYLESHEET_PATH = '/assets/settings.css';

/**
 * Progressive enhancement only; every form works without it. Shows the copy button (Clipboard
 * API, or select-all when the API is missing or refused) and hides the custom date field unless
 * "Custom date" is chosen.
 */
const SCRIPT = `'use strict';
(function () {
  var field = document.getElementById('new-token');
  var button = document.getElementById('copy-token');
  var status = document.getElementById('copy-status');
  if (field && button && status) {
    var selectAll = function (message) {
      field.focus();
      field.select();
      status.textContent = message;
    };
    button.hidden = false;
    button.addEventListener('click', function () {
      if (!navigator.clipboard || !window.isSecureContext) {
        selectAll('The token is selected: press Ctrl+C (Cmd+C on a Mac) to copy it.');
        return;
      }
      navigator.clipboard.writeText(field.value).then(
        function () { status.textContent = 'Copied to the clipboard.'; },
        function () { selectAll('Copying was refused: the token is selected, press Ctrl+C (Cmd+C on a Mac).'); }
      );
    });
  }
  var expiry = document.getElementById('expiry');
  var custom = document.getElementById('custom-expiry');
  if (expiry && custom) {
    var sync = function () { custom.hidden = expiry.value !== 'custom'; };
    expiry.addEventListener('change', sync);
    sync();
  }
})();
`;

const STYLESHEET = `body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 64rem; padding: 1rem 1.5rem; color: #1f2328; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
code, .mono { font-family: ui-monospace, monospace; }
fieldset { border: 1px solid #d0d7de; margin: 0 0 1rem; } label { display: block; }
.field { margin: 0 0 1rem; } .field input[type=text] { width: 100%; max-width: 30rem; }
.hint { color: #59636e; font-size: .9rem; }
.problem { color: #b3261e; font-weight: 600; }
.panel { border: 2px solid #1a7f37; background: #dafbe1; padding: 1rem; margin: 1rem 0; }
.panel input { width: 100%; max-width: 44rem; font-family: ui-monospace, monospace; }
.warning { font-weight: 600; }
.alert { border: 2px solid #b3261e; background: #ffebe9; padding: 1rem; margin: 1rem 0; }
.notice { border: 1px solid #0969da; background: #ddf4ff; padding: .5rem 1rem; }
.actions a { margin-right: .6rem; }
button { font: inherit; padding: .3rem .9rem; cursor: pointer; }
button.danger { background: #b3261e; color: #fff; border: 1px solid #8c1d18; }
`;

function asset(type: string, body: string): RequestHandler {
  return (_req, res) => {
    // Revalidated on each use (cheap with the ETag), so an upgrade is picked up at once.
    res.set('Cache-Control', 'no-cache').type(type).send(body);
  };
}

/** `GET /assets/settings.js`. */
export const serveScript = asset('text/javascript; charset=utf-8', SCRIPT);
/** `GET /assets/settings.css`. */
export const serveStylesheet = asset('text/css; charset=utf-8', STYLESHEET);
