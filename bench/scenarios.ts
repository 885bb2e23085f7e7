/**
 * What the benchmark measures: the server configurations (one child process each) and how the
 * parent hands a configuration to the child. Shared by `run.ts` (parent) and `server.ts` (child).
 */

/** The one scope the guarded route requires, and the only scope the seeded tokens hold. */
export const BENCH_SCOPE = 'bench:read';

/** Environment variable carrying the {@link ServerSpec} (JSON) from the parent to the child. */
export const SERVER_SPEC_ENV = 'BENCH_SERVER_SPEC';

/** How the guarded route checks its token. */
export type ServerSpec =
  /** No guard at all: `/bare` only. The baseline every ratio is taken against. */
  | { readonly kind: 'bare' }
  /** The naive design: `bcrypt.compare(token, storedHash)` on every request. */
  | { readonly kind: 'bcrypt'; readonly hash: string }
  /** `pat.requireToken(['bench:read'])` with the given lookup and cache. */
  | {
      readonly kind: 'pat';
      readonly databaseUrl: string;
      readonly lookup: 'prisma' | 'driver';
      readonly cache: boolean;
      readonly pepper: string;
    };

/** A measured configuration: its name in the table and the server it runs. */
export interface Scenario {
  /** e.g. `sqlite-driver+cache`. */
  readonly name: string;
  /** Stored tokens, or null when the scenario has no token table (bare, bcrypt). */
  readonly tokens: number | null;
  readonly path: '/bare' | '/guarded';
  readonly spec: ServerSpec;
}

/** Reads the child's {@link ServerSpec} from its environment. @throws Error when absent or malformed. */
export function readServerSpec(raw: string | undefined): ServerSpec {
  if (raw === undefined) throw new Error(`${SERVER_SPEC_ENV} is not set: the server is started by bench/run.ts.`);
  const value: unknown = JSON.parse(raw);
  if (typeof value !== 'object' || value === null || !('kind' in value)) throw new Error(`${SERVER_SPEC_ENV} is not a spec`);
  const field = (name: string): unknown => (value as Record<string, unknown>)[name];
  const text = (name: string): string => {
    const found = field(name);
    if (typeof found !== 'string') throw new Error(`${SERVER_SPEC_ENV}.${name} must be a string`);
    return found;
  };
  switch (value.kind) {
    case 'bare':
      return { kind: 'bare' };
    case 'bcrypt':
      return { kind: 'bcrypt', hash: text('hash') };
    case 'pat': {
      const lookup = text('lookup');
      if (lookup !== 'prisma' && lookup !== 'driver') throw new Error(`${SERVER_SPEC_ENV}.lookup must be prisma or driver`);
      return { kind: 'pat', databaseUrl: text('databaseUrl'), lookup, cache: field('cache') === true, pepper: text('pepper') };
    }
    default:
      throw new Error(`${SERVER_SPEC_ENV}.kind is unknown: ${String(value.kind)}`);
  }
}
