/** The files the express-pat package ships next to `dist/` (or `src/` in a checkout). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder, found from this module's place in `src/cli/` or `dist/cli/`. */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The package's version, from its `package.json`. */
export function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}
