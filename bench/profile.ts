/**
 * `npx tsx bench/profile.ts <file.cpuprofile> [top]`: where a `node --cpu-prof` profile spent its
 * time — self time per package and per function, and the inclusive time of express-pat's own
 * functions. `npm run bench` with BENCH_PROFILE prints the same for the measured window only.
 */
import { formatProfileSummary, summarizeProfile } from './cpuprofile.js';

const [file, top = '25'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: npx tsx bench/profile.ts <file.cpuprofile> [top]');
  process.exitCode = 2;
} else {
  console.log(formatProfileSummary(summarizeProfile(file, undefined, Number(top))));
}
