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

/** What adding express-pat's models to a schema comes to. */
export type MergePlan =
  /** `schema` is the new text: the input with the models appended. */
  | { readonly kind: 'add'; readonly schema: string; readonly added: readonly string[] }
  /** Every express-pat model is there already (with the app's own `User` or express-pat's). */
  | { readonly kind: 'present' }
  /** Some names are taken: `taken` are defined already, `missing` are not. Nothing may be changed. */
  | { readonly kind: 'conflict'; readonly taken: readonly string[]; readonly missing: readonly string[] };

/** The line `init` writes above the models it adds. */
export const MARKER = '// express-pat models, added by `express-pat init` (from express-pat/prisma/models.prisma).';

/** Decides how `models` (express-pat's models file) can be added to `schema`. */
export function planMerge(schema: string, models: string): MergePlan {
  const ours = definedNames(models);
  const existing = new Set(definedNames(schema));
  const taken = ours.filter((name) => existing.has(name));
  const missing = ours.filter((name) => !existing.has(name));
  if (taken.length === 0) {
    const separator = schema.length === 0 || schema.endsWith('\n\n') ? '' : schema.endsWith('\n') ? '\n' : '\n\n';
    return { kind: 'add', schema: `${schema}${separator}${MARKER}\n\n${models.trimEnd()}\n`, added: ours };
  }
  if (missing.length === 0 || (missing.length === 1 && missing[0] === OWN_USER_MODEL)) return { kind: 'present' };
  return { kind: 'conflict', taken, missing };
}
