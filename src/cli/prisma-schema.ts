/**
 * Pure text work on Prisma schemas for `express-pat init`: which blocks a schema defines, its
 * datasource provider, and whether express-pat's models can be added to it. No I/O.
 */

/** Top-level blocks that share Prisma's one namespace of type names. */
const BLOCK = /^[ \t]*(model|enum|type|view)[ \t]+([A-Za-z_]\w*)[ \t]*\{/gm;

/** The names of the models, enums, types and views `schema` defines, in order. */
export function definedNames(schema: string): string[] {
  return [...schema.matchAll(BLOCK)].map((match) => match[2] ?? '');
}

/** The `provider` of the schema's `datasource` block, if it has one. */
export function datasourceProvider(schema: string): string | undefined {
  return /^[ \t]*datasource[ \t]+\w+[ \t]*\{[^}]*?^[ \t]*provider[ \t]*=[ \t]*"([^"]+)"/m.exec(schema)?.[1];
}

/** The model a host app may bring itself instead of express-pat's (README: own user model). */
export const OWN_USER_MODEL = 'User';

/**
 * The model that marks a schema as express-pat's: a schema defining it has express-pat's models
 * (possibly of an older version), not models of its own that merely share a name. Without it, a
 * taken name (an app's own `User`, `Scope`, …) is a conflict.
 */
export const TOKEN_MODEL = 'PersonalAccessToken';

/**
 * The top-level blocks of `models` (express-pat's own models file) by name, each with the `///`
 * comments above it. Relies on that file's layout: a block ends at a line that is only `}`.
 */
function blocksByName(models: string): Map<string, string> {
  const block = /(?:^[ \t]*\/\/\/.*\n)*^[ \t]*(?:model|enum|type|view)[ \t]+([A-Za-z_]\w*)[ \t]*\{[\s\S]*?^[ \t]*\}[ \t]*$/gm;
  return new Map([...models.matchAll(block)].map((match) => [match[1] ?? '', match[0]]));
}

/** What adding express-pat's models to a schema comes to. */
export type MergePlan =
  /** `schema` is the new text: the input with the models appended. */
  | { readonly kind: 'add'; readonly schema: string; readonly added: readonly string[] }
  /**
   * An upgrade: the schema has express-pat's models of an older version (it defines
   * {@link TOKEN_MODEL}) but lacks newer ones. `schema` is the input with only `added` appended;
   * `kept` are left exactly as they are (their fields are not compared).
   */
  | { readonly kind: 'upgrade'; readonly schema: string; readonly added: readonly string[]; readonly kept: readonly string[] }
  /** Every express-pat model is there already (with the app's own `User` or express-pat's). */
  | { readonly kind: 'present' }
  /** Some names are taken: `taken` are defined already, `missing` are not. Nothing may be changed. */
  | { readonly kind: 'conflict'; readonly taken: readonly string[]; readonly missing: readonly string[] };

/** The line `init` writes above the models it adds. */
export const MARKER = '// express-pat models, added by `express-pat init` (from express-pat/prisma/models.prisma).';

/** `schema` with `text` appended under {@link MARKER}. */
function appended(schema: string, text: string): string {
  const separator = schema.length === 0 || schema.endsWith('\n\n') ? '' : schema.endsWith('\n') ? '\n' : '\n\n';
  return `${schema}${separator}${MARKER}\n\n${text.trimEnd()}\n`;
}

/**
 * Decides how `models` (express-pat's models file) can be added to `schema`, comparing model
 * names only. A schema that defines {@link TOKEN_MODEL} is an express-pat schema: the models it
 * lacks are added (except `User`, which it then has under a name of its own). Any other taken
 * name is a conflict.
 */
export function planMerge(schema: string, models: string): MergePlan {
  const ours = definedNames(models);
  const existing = new Set(definedNames(schema));
  const taken = ours.filter((name) => existing.has(name));
  const missing = ours.filter((name) => !existing.has(name));
  if (taken.length === 0) return { kind: 'add', schema: appended(schema, models), added: ours };
  if (!taken.includes(TOKEN_MODEL)) return { kind: 'conflict', taken, missing };
  const added = missing.filter((name) => name !== OWN_USER_MODEL);
  if (added.length === 0) return { kind: 'present' };
  const blocks = blocksByName(models);
  const text = added.map((name) => blocks.get(name) ?? '').join('\n\n');
  return { kind: 'upgrade', schema: appended(schema, text), added, kept: taken };
}
