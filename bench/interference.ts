/**
 * Who else used the CPU during a measurement. The benchmark machine may be shared (other test
 * runs, linters, migrations), and on 2 cores any foreign work shows up in the figures, so each
 * measured window records the CPU time of every process that is not this benchmark (this process
 * and its descendants), with PostgreSQL's processes counted apart. Linux only (reads /proc);
 * elsewhere it reports nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

interface ProcessTimes {
  readonly ppid: number;
  readonly name: string;
  /** utime + stime of all its threads, in clock ticks. */
  readonly ticks: number;
}

/** CPU use of every process, and of the whole machine, at one instant. */
export interface CpuSnapshot {
  readonly atMs: number;
  readonly processes: ReadonlyMap<number, ProcessTimes>;
  /** Busy ticks of all CPUs (user, nice, system, irq, softirq), from /proc/stat. */
  readonly machineTicks: number;
}

/** Foreign CPU use over a window, in cores (1.0 = one core busy the whole window). */
export interface Interference {
  /** Processes neither of this benchmark nor of PostgreSQL. */
  readonly otherCores: number;
  /** PostgreSQL's processes (ours in the PostgreSQL scenarios, foreign in the others). */
  readonly postgresCores: number;
  /** The busiest foreign processes, e.g. `jest 0.62`. */
  readonly busiest: readonly string[];
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function readProcess(pid: string): [number, ProcessTimes] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    // Fields after "(comm)": state ppid … utime(14) stime(15), 1-based overall.
    const fields = stat.slice(close + 2).split(' ');
    const field = (index: number): number => Number(fields[index - 3] ?? 0);
    let label = name;
    if (name === 'node' || name === 'MainThread') {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const script = args.find((arg, i) => i > 0 && !arg.startsWith('-') && /[/.]/.test(arg));
      if (script !== undefined) label = script.split('/').slice(-2).join('/');
    }
    return [Number(pid), { ppid: field(4), name: label, ticks: field(14) + field(15) }];
  } catch {
    return undefined; // the process ended meanwhile
  }
}

/** Reads every process's CPU time (empty where /proc does not exist). */
export function cpuSnapshot(): CpuSnapshot {
  const processes = new Map<number, ProcessTimes>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    // not Linux
  }
  for (const entry of entries) {
    const found = readProcess(entry);
    if (found !== undefined) processes.set(found[0], found[1]);
  }
  let machineTicks = 0;
  try {
    // cpu  user nice system idle iowait irq softirq …
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1, 8)
      .map(Number);
    machineTicks = user + nice + system + irq + softirq;
  } catch {
    // not Linux
  }
  return { atMs: performance.now(), processes, machineTicks };
}

/** This process, all its descendants and its ancestors (npm, the tsx launcher) in `snapshot`. */
function benchmarkProcesses(snapshot: CpuSnapshot): Set<number> {
  const ours = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, { ppid }] of snapshot.processes) {
      if (!ours.has(pid) && ours.has(ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  for (let pid = process.ppid; pid > 1 && !ours.has(pid); pid = snapshot.processes.get(pid)?.ppid ?? 0) ours.add(pid);
  return ours;
}

/**
 * Foreign CPU use between two snapshots: the machine's user and system time minus that of this
 * benchmark's processes and of PostgreSQL's (so processes that started and ended within the
 * window count too); `busiest` names the foreign processes still alive at the end.
 */
export function interference(before: CpuSnapshot, after: CpuSnapshot): Interference {
  const seconds = (after.atMs - before.atMs) / 1000;
  const ours = benchmarkProcesses(after);
  for (const pid of benchmarkProcesses(before)) ours.add(pid);
  let mine = 0;
  let postgres = 0;
  const byName = new Map<string, number>();
  for (const [pid, now] of after.processes) {
    const delta = now.ticks - (before.processes.get(pid)?.ticks ?? 0);
    if (delta <= 0) continue;
    if (ours.has(pid)) mine += delta;
    else if (now.name === 'postgres') postgres += delta;
    else byName.set(now.name, (byName.get(now.name) ?? 0) + delta);
  }
  const other = Math.max(0, after.machineTicks - before.machineTicks - mine - postgres);
  const cores = (ticks: number): number => (seconds > 0 ? ticks / clockTicks() / seconds : 0);
  return {
    otherCores: cores(other),
    postgresCores: cores(postgres),
    busiest: [...byName]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .filter(([, ticks]) => cores(ticks) >= 0.05)
      .map(([name, ticks]) => `${name} ${cores(ticks).toFixed(2)}`),
  };
}

/** CPU seconds process `pid` used between two snapshots (0 when it is missing from either). */
export function processCpuSeconds(before: CpuSnapshot, after: CpuSnapshot, pid: number | undefined): number {
  const start = pid === undefined ? undefined : before.processes.get(pid);
  const end = pid === undefined ? undefined : after.processes.get(pid);
  return start === undefined || end === undefined ? 0 : (end.ticks - start.ticks) / clockTicks();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until foreign processes (PostgreSQL included) use less than `thresholdCores` over half a
 * second, for at most `maxWaitMs`.
 * @returns how long it waited, in ms.
 */
export async function waitForQuiet(maxWaitMs: number, thresholdCores = 0.15): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = cpuSnapshot();
    await sleep(500);
    const found = interference(before, cpuSnapshot());
    const waited = performance.now() - started;
    if (found.otherCores + found.postgresCores < thresholdCores || waited >= maxWaitMs) return waited;
  }
}
