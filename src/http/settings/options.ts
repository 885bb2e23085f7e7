/** Options of `pat.settingsPage()`, resolved once. */
import { rejectUnknownKeys } from '../../options.js';

/** Options of {@link PersonalAccessTokens.settingsPage}. */
export interface SettingsPageOptions {
  /**
   * Heading and document title of the page (1–200 characters).
   * @default 'Personal access tokens'
   */
  readonly title?: string | undefined;
}

/** The resolved options. */
export interface SettingsPageConfig {
  readonly title: string;
}

/**
 * Validates the options and fills in the defaults. Never mutates `options`.
 * @throws TypeError naming the option to fix.
 */
export function resolveSettingsPageOptions(options: SettingsPageOptions = {}): SettingsPageConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('express-pat: settingsPage(options) takes an options object, e.g. { title: "API tokens" }.');
  }
  rejectUnknownKeys('the settingsPage options', options, ['title']);
  const title = options.title ?? 'Personal access tokens';
  if (typeof title !== 'string' || title.trim() === '' || title.length > 200) {
    throw new TypeError('express-pat: settingsPage `title` must be a string of 1 to 200 characters.');
  }
  return { title };
}
