/**
 * `npm pack` of the project as it stands in the working tree, without writing to it: the files git
 * sees (tracked or new, minus ignored ones such as `dist/` and `node_modules/`) are copied to a
 * staging folder, `npm run build`'s compilation writes the staging folder's `dist/`, and `npm pack`
 * runs there. So the package's own `files`, `exports` and build settings decide what ships.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOrThrow } from './run-command.js';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A packed tarball and the paths inside it (relative to the package root). */
export interface PackedProject {
  readonly tarball: string;
  readonly files: readonly string[];
}

interface NpmPackReport {
  filename: string;
  files: Array<{ path: string }>;
}

/** Packs the project into `workDir` (which must exist); returns the tarball and its file list. */
export async function packProject(workDir: string): Promise<PackedProject> {
  const stage = join(workDir, 'package-stage');
  const { stdout: listed } = await runOrThrow('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: projectRoot,
    timeoutMs: 30_000,
  });
  for (const path of listed.split('\0')) {
    const source = join(projectRoot, path);
    if (path === '' || !existsSync(source)) continue; // deleted in the working tree
    mkdirSync(dirname(join(stage, path)), { recursive: true });
    copyFileSync(source, join(stage, path));
  }
  // `npm run build` (what `prepare` runs before packing), with its output sent to the stage.
  await runOrThrow(
    process.execPath,
    [
      join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      ...['-p', join(projectRoot, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')],
    ],
    { cwd: projectRoot, timeoutMs: 120_000 },
  );
  const { stdout } = await runOrThrow('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], {
    cwd: stage,
    timeoutMs: 60_000,
  });
  const [report] = JSON.parse(stdout) as NpmPackReport[];
  if (report === undefined) throw new Error(`npm pack printed no report:\n${stdout}`);
  return { tarball: join(workDir, report.filename), files: report.files.map((file) => file.path).sort() };
}
