/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and sums where the time went: self time per
 * function, self time per package, and the inclusive time of express-pat's own functions.
 * Optionally only the samples inside a time window (the measured part of a benchmark run).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One line of a summary: a name and its time. */
export interface TimeShare {
  readonly name: string;
  readonly ms: number;
  /** Share of the busy (non-idle) time, in percent. */
  readonly percent: number;
}

/** What {@link summarizeProfile} found. */
export interface ProfileSummary {
  /** Sampled wall time in the window, ms. */
  readonly totalMs: number;
  /** Of which not idle, ms. */
  readonly busyMs: number;
  /** Whether the window matched samples (false: the whole profile was used). */
  readonly windowed: boolean;
  readonly selfByFunction: readonly TimeShare[];
  readonly selfByPackage: readonly TimeShare[];
  /** Inclusive time of functions in the project's `src/` (each counted once per sample). */
  readonly inclusiveInLibrary: readonly TimeShare[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function isCpuProfile(value: unknown): value is CpuProfile {
  return (
    typeof value === 'object' &&
    value !== null &&
    'nodes' in value &&
    Array.isArray(value.nodes) &&
    'samples' in value &&
    Array.isArray(value.samples) &&
    'timeDeltas' in value &&
    Array.isArray(value.timeDeltas)
  );
}

/** `node:internal/...`, `express/lib/router.js`, `src/http/require-token.ts`. */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) return path.slice(inModules + '/node_modules/'.length);
  const inProject = /\/(src|bench|generated)\/.*$/.exec(path);
  return inProject ? inProject[0].slice(1) : path;
}

function packageOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  if (frame.url === '') return '(native)';
  if (frame.url.startsWith('node:')) return 'node: internals';
  const short = shortUrl(frame.url);
  if (short.startsWith('src/')) return 'express-pat src/';
  if (short.startsWith('generated/')) return 'generated Prisma client';
  if (short.startsWith('bench/')) return 'bench harness';
  const [first = '', second = ''] = short.split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

function functionKey(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName) || frame.url === '') return frame.functionName || '(anonymous native)';
  const url = shortUrl(frame.url);
  // tsx compiles TypeScript without line mapping in profiles: a .ts file's line says nothing.
  return `${frame.functionName || '(anonymous)'} ${url}${url.endsWith('.ts') ? '' : `:${frame.lineNumber + 1}`}`;
}

function ranked(times: Map<string, number>, busyUs: number, top: number): TimeShare[] {
  return [...times]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: busyUs > 0 ? (100 * us) / busyUs : 0 }));
}

/**
 * Summarizes the profile in `file`.
 * @param window only samples taken between these monotonic-clock microseconds (the clock of
 *   `process.hrtime`, which V8's profiler uses too); the whole profile when none match.
 */
export function summarizeProfile(
  file: string,
  window?: { readonly fromUs: number; readonly toUs: number },
  top = 20,
): ProfileSummary {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 .cpuprofile`);
  const nodes = new Map(parsed.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of parsed.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  // Sample i lasts until sample i + 1 (as DevTools counts it).
  const durations: { node: number; at: number; us: number }[] = [];
  let at = parsed.startTime;
  parsed.samples.forEach((node, index) => {
    at += parsed.timeDeltas[index] ?? 0;
    durations.push({ node, at, us: parsed.timeDeltas[index + 1] ?? 0 });
  });
  const inWindow = window === undefined ? [] : durations.filter((s) => s.at >= window.fromUs && s.at <= window.toUs);
  const windowed = inWindow.length > 0;
  const samples = windowed ? inWindow : durations;

  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const { node: id, us } of samples) {
    const node = nodes.get(id);
    if (node === undefined) continue;
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') idleUs += us;
    const key = functionKey(node.callFrame);
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + us);
    const pkg = packageOf(node.callFrame);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + us);
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parentOf.get(cursor)) {
      const frame = nodes.get(cursor)?.callFrame;
      if (frame === undefined || !shortUrl(frame.url).startsWith('src/')) continue;
      const name = functionKey(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const busyUs = totalUs - idleUs;
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    windowed,
    selfByFunction: ranked(selfByFunction, busyUs, top),
    selfByPackage: ranked(selfByPackage, busyUs, top),
    inclusiveInLibrary: ranked(inclusive, busyUs, top),
  };
}

/** The summary as text, for the console. */
export function formatProfileSummary(summary: ProfileSummary): string {
  const lines = [
    `${summary.windowed ? 'measured window' : 'whole profile'}: ${summary.totalMs.toFixed(0)} ms sampled, ` +
      `${summary.busyMs.toFixed(0)} ms busy (percentages are of busy time)`,
  ];
  const section = (title: string, shares: readonly TimeShare[]): void => {
    lines.push(title);
    for (const share of shares) {
      lines.push(`  ${share.percent.toFixed(1).padStart(5)}%  ${share.ms.toFixed(0).padStart(6)} ms  ${share.name}`);
    }
  };
  section('self time by package:', summary.selfByPackage);
  section('self time by function:', summary.selfByFunction);
  section(
    'inclusive time of express-pat functions (src/; the guard calls the route through next(), so its own line includes the route):',
    summary.inclusiveInLibrary,
  );
  return lines.join('\n');
}
