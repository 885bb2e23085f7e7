/**
 * The app's scope registry: names, descriptions and `implies` edges, with the transitive closure
 * computed once at construction so checks at request time are set look-ups. Pure: no I/O.
 */

/** How the app describes one scope in the `scopes` option. */
export type ScopeDefinition =
  | string
  | {
      /** Shown to users when they pick scopes. */
      readonly description: string;
      /** Scopes this one grants too (transitively): `notes:write` implies `notes:read`. */
      readonly implies?: readonly string[];
    };

/** A registered scope as `GET /scopes` lists it. */
export interface ScopeInfo {
  readonly name: string;
  readonly description: string;
  /** The scopes named directly in `implies`. */
  readonly implies: readonly string[];
}

/** Scope names: letters, digits and `: . _ -`, starting with a letter or digit, at most 100 characters. */
export const SCOPE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,99}$/;

/** The resolved registry. */
export interface ScopeRegistry {
  /** Every registered scope, in the order the app declared them. */
  readonly list: readonly ScopeInfo[];
  /** Whether `name` is registered. */
  has(name: string): boolean;
  /** The registered scopes `granted` add up to, implied ones included; unregistered names are dropped. */
  expand(granted: Iterable<string>): Set<string>;
}

/**
 * Validates and resolves the `scopes` option.
 * @throws TypeError when a name is malformed, a description is missing or an `implies` entry is unknown.
 */
export function createScopeRegistry(definitions: Readonly<Record<string, ScopeDefinition>>): ScopeRegistry {
  if (definitions === null || typeof definitions !== 'object' || Array.isArray(definitions)) {
    throw new TypeError('express-pat: `scopes` must be an object such as { "notes:read": "Read your notes" }.');
  }
  const list: ScopeInfo[] = Object.entries(definitions).map(([name, definition]) => {
    if (!SCOPE_NAME_PATTERN.test(name)) {
      throw new TypeError(
        `express-pat: scope name "${name}" is not allowed; use letters, digits and ":._-" (e.g. "notes:read").`,
      );
    }
    const description = typeof definition === 'string' ? definition : definition?.description;
    if (typeof description !== 'string' || description.trim() === '') {
      throw new TypeError(`express-pat: scope "${name}" needs a description: "${name}": "What it allows".`);
    }
    const implies = typeof definition === 'string' ? [] : [...(definition.implies ?? [])];
    return { name, description, implies };
  });
  if (list.length === 0) {
    throw new TypeError('express-pat: `scopes` must register at least one scope.');
  }
  const direct = new Map(list.map((scope) => [scope.name, scope.implies]));
  for (const scope of list) {
    const unknown = scope.implies.find((name) => !direct.has(name));
    if (unknown !== undefined) {
      throw new TypeError(`express-pat: scope "${scope.name}" implies "${unknown}", which is not registered.`);
    }
  }

  const closure = new Map<string, ReadonlySet<string>>();
  for (const { name } of list) {
    const reached = new Set<string>([name]);
    const pending = [name];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      for (const implied of direct.get(next) ?? []) {
        if (!reached.has(implied)) {
          reached.add(implied);
          pending.push(implied);
        }
      }
    }
    closure.set(name, reached);
  }

  return {
    list,
    has: (name) => closure.has(name),
    expand(granted) {
      const effective = new Set<string>();
      for (const name of granted) {
        for (const implied of closure.get(name) ?? []) effective.add(implied);
      }
      return effective;
    },
  };
}
