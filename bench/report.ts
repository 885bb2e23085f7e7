/**
 * Turns measurements into the report: ratios against the bare route, a verdict per target, the
 * table printed to the console and the JSON written to bench/results/.
 */
import type { Measurement } from './measure.js';

/** One measured scenario. */
export interface Row extends Measurement {
  readonly scenario: string;
  /** Stored tokens, or null for bare and bcrypt. */
  readonly tokens: number | null;
  /** Whether the child ran under `--cpu-prof` (its figures are then slower than normal). */
  readonly profiled: boolean;
}

/** Foreign CPU above this (in cores) during a measurement marks its figures as disturbed. */
export const DISTURBED_CORES = 0.1;

/** CPU used during the row's window by processes other than the benchmark's own, in cores. */
export function foreignCores(row: Row): number {
  const found = row.interference;
  if (found === undefined) return 0;
  return found.otherCores + (row.scenario.startsWith('postgres') ? 0 : found.postgresCores);
}

/** A row with its comparison to the bare baseline. */
export interface ComparedRow extends Row {
  /** requests/s divided by the bare baseline's. */
  readonly ratioVsBare: number | null;
  /** p99 minus the bare baseline's p99, ms. */
  readonly addedP99Ms: number | null;
  /**
   * The bare baseline's server CPU per request divided by this row's: the throughput ratio a
   * saturated server would show, less sensitive to scheduling noise than requests/s.
   */
  readonly cpuRatioVsBare: number | null;
}

/** The bare baseline, measured at the start and at the end of the run; ratios use the mean. */
export interface Baseline {
  readonly start: Row;
  readonly end: Row | undefined;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuUsPerRequest: number;
  /** (end − start) / mean of requests/s, in percent: how much the machine drifted during the run. */
  readonly driftPercent: number | null;
}

/** One target checked on one scenario. */
export interface Verdict {
  readonly target: string;
  readonly scenario: string;
  readonly tokens: number | null;
  readonly value: number;
  readonly threshold: number;
  /** `min`: the value must be at least the threshold; `max`: at most. */
  readonly kind: 'min' | 'max';
  readonly unit: 'ratio' | 'ms' | '×';
  readonly met: boolean;
  /** Whether another process used more than {@link DISTURBED_CORES} during a measurement it rests on. */
  readonly disturbed: boolean;
  /** e.g. `met (0.97 ≥ 0.95)` or `missed by 0.12 (0.68 < 0.80)`. */
  readonly text: string;
}

/** Mean of the start and end bare measurements. */
export function baseline(start: Row, end: Row | undefined): Baseline {
  const both = end === undefined ? [start] : [start, end];
  const mean = (pick: (row: Row) => number): number => both.reduce((sum, row) => sum + pick(row), 0) / both.length;
  const requestsPerSecond = mean((row) => row.requestsPerSecond);
  return {
    start,
    end,
    requestsPerSecond,
    p50Ms: mean((row) => row.p50Ms),
    p99Ms: mean((row) => row.p99Ms),
    serverCpuUsPerRequest: mean((row) => row.serverCpuUsPerRequest),
    driftPercent: end === undefined ? null : (100 * (end.requestsPerSecond - start.requestsPerSecond)) / requestsPerSecond,
  };
}

/** Every row compared with the baseline (the bare rows themselves included). */
export function compare(rows: readonly Row[], base: Baseline): ComparedRow[] {
  return rows.map((row) => ({
    ...row,
    ratioVsBare: row.requestsPerSecond / base.requestsPerSecond,
    addedP99Ms: row.p99Ms - base.p99Ms,
    cpuRatioVsBare: row.serverCpuUsPerRequest > 0 ? base.serverCpuUsPerRequest / row.serverCpuUsPerRequest : null,
  }));
}

function decimals(unit: Verdict['unit']): number {
  return unit === '×' ? 0 : 2;
}

function verdict(fields: Omit<Verdict, 'met' | 'text' | 'disturbed'>, basis: readonly Row[]): Verdict {
  const { value, threshold, kind, unit } = fields;
  const met = kind === 'min' ? value >= threshold : value <= threshold;
  const digits = decimals(unit);
  const suffix = unit === 'ms' ? ' ms' : unit === '×' ? '×' : '';
  const show = (n: number): string => `${n.toFixed(digits)}${suffix}`;
  const sign = kind === 'min' ? (met ? '≥' : '<') : met ? '≤' : '>';
  const by = Math.abs(value - threshold);
  const relative = unit === 'ms' ? '' : `, ${((100 * by) / threshold).toFixed(0)}% short`;
  const disturbed = basis.some((row) => foreignCores(row) > DISTURBED_CORES);
  const text =
    (met
      ? `met (${show(value)} ${sign} ${show(threshold)})`
      : `MISSED by ${show(by)}${relative} (${show(value)} ${sign} ${show(threshold)})`) + (disturbed ? ' !' : '');
  return { ...fields, met, disturbed, text };
}

const isGuarded = (row: Row): boolean => row.tokens !== null;
const isCached = (row: Row): boolean => row.scenario.endsWith('+cache');

/**
 * The targets:
 * T1 guarded/bare ≥ 0.80 on SQLite without cache; T2 ≥ 0.95 with the cache (both databases);
 * T3 added p99 ≤ 1 ms with the cache; T4 the largest token table costs ≤ 10 % of the smallest's
 * throughput; T5 ≥ 100× the bcrypt-per-request baseline (at the largest size).
 */
export function verdicts(rows: readonly ComparedRow[]): Verdict[] {
  const out: Verdict[] = [];
  const guarded = rows.filter(isGuarded);
  const bare = rows.filter((row) => row.scenario === 'bare');
  for (const row of guarded) {
    const common = { scenario: row.scenario, tokens: row.tokens };
    const basis = [row, ...bare];
    if (row.scenario.startsWith('sqlite-') && !isCached(row)) {
      out.push(
        verdict(
          { target: 'T1 guarded/bare, SQLite, no cache', ...common, value: row.ratioVsBare ?? 0, threshold: 0.8, kind: 'min', unit: 'ratio' },
          basis,
        ),
      );
    }
    if (isCached(row)) {
      out.push(
        verdict(
          { target: 'T2 guarded/bare with cache', ...common, value: row.ratioVsBare ?? 0, threshold: 0.95, kind: 'min', unit: 'ratio' },
          basis,
        ),
      );
      out.push(
        verdict(
          { target: 'T3 added p99 with cache', ...common, value: row.addedP99Ms ?? 0, threshold: 1, kind: 'max', unit: 'ms' },
          basis,
        ),
      );
    }
  }
  const sizes = [...new Set(guarded.map((row) => row.tokens ?? 0))].sort((a, b) => a - b);
  const smallest = sizes[0];
  const largest = sizes.at(-1);
  if (smallest !== undefined && largest !== undefined && largest > smallest) {
    for (const row of guarded.filter((r) => r.tokens === largest)) {
      const small = guarded.find((r) => r.scenario === row.scenario && r.tokens === smallest);
      if (small === undefined) continue;
      out.push(
        verdict({
          target: `T4 ${largest} vs ${smallest} tokens`,
          scenario: row.scenario,
          tokens: largest,
          value: row.requestsPerSecond / small.requestsPerSecond,
          threshold: 0.9,
          kind: 'min',
          unit: 'ratio',
        }, [row, small]),
      );
    }
  }
  const bcrypt = rows.find((row) => row.scenario === 'bcrypt-per-request');
  if (bcrypt !== undefined) {
    for (const row of guarded.filter((r) => r.tokens === largest)) {
      out.push(
        verdict({
          target: 'T5 vs bcrypt per request',
          scenario: row.scenario,
          tokens: row.tokens,
          value: row.requestsPerSecond / bcrypt.requestsPerSecond,
          threshold: 100,
          kind: 'min',
          unit: '×',
        }, [row, bcrypt]),
      );
    }
  }
  return out;
}

/** A plain-text table; `right` lists the columns aligned to the right (numbers). */
function table(header: readonly string[], lines: readonly (readonly string[])[], right: readonly number[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (right.includes(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), widths.map((width) => '-'.repeat(width)).join('  '), ...lines.map(render)].join('\n');
}

/** The results table, one line per row. */
export function formatRows(rows: readonly ComparedRow[]): string {
  return table(
    ['scenario', 'tokens', 'req/s', 'p50 ms', 'p99 ms', 'ratio vs bare', 'added p99 ms', 'server µs/req', 'cpu ratio', 'foreign cpu'],
    rows.map((row) => [
      row.scenario + (row.profiled ? ' (profiled)' : ''),
      row.tokens === null ? '-' : String(row.tokens),
      row.requestsPerSecond.toFixed(0),
      row.p50Ms.toFixed(3),
      row.p99Ms.toFixed(3),
      row.ratioVsBare === null ? '-' : row.ratioVsBare.toFixed(3),
      row.addedP99Ms === null ? '-' : (row.addedP99Ms >= 0 ? '+' : '') + row.addedP99Ms.toFixed(3),
      row.serverCpuUsPerRequest.toFixed(0),
      row.cpuRatioVsBare === null ? '-' : row.cpuRatioVsBare.toFixed(3),
      foreignCores(row).toFixed(2) + (foreignCores(row) > DISTURBED_CORES ? ' !' : '  '),
    ]),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
}

/** One line per verdict. */
export function formatVerdicts(list: readonly Verdict[]): string {
  return table(
    ['target', 'scenario', 'tokens', 'verdict'],
    list.map((v) => [v.target, v.scenario, v.tokens === null ? '-' : String(v.tokens), v.text]),
    [2],
  );
}
