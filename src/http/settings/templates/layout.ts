/** The page frame every settings page shares, and the formatting of instants. */
import { SCRIPT_PATH, STYLESHEET_PATH } from '../assets.js';
import { html, type Html } from '../html.js';

/** What every template needs to know about the request. */
export interface PageContext {
  /** Where the router is mounted (`req.baseUrl`), for links, form actions and assets. */
  readonly base: string;
  /** The page title from the `title` option. */
  readonly title: string;
  /** The CSRF token for this user's forms. */
  readonly csrf: string;
}

/** A URL inside the router: `path` starts with `/`. */
export function href(context: PageContext, path: string): string {
  return `${context.base}${path}`;
}

/** An instant as `2026-06-01 12:00 UTC` in a `<time>` element, or `fallback` for null. */
export function instant(value: Date | null, fallback: string): Html {
  if (value === null) return html`${fallback}`;
  const iso = value.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`;
}

/** The whole document around `content`. */
export function layout(context: PageContext, heading: string, content: Html): Html {
  const title = heading === context.title ? heading : `${heading} · ${context.title}`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="${href(context, STYLESHEET_PATH)}">
<script src="${href(context, SCRIPT_PATH)}" defer></script>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}
