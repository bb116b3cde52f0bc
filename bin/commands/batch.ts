// yakkan batch <product> <facts.ndjson|-> [--workers N] [--no-trace] [--as-of DATE]
// One facts object per input line; one compact decision JSON per output line, in input order.
import { createReadStream, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { runBatch } from '../../engine/tools/batch.js';

const USAGE = `usage: yakkan batch <product> <facts.ndjson|-> [--workers N] [--no-trace] [--as-of DATE]

Decides every line of an NDJSON file (one facts object per line; - reads stdin) on worker
threads and prints one compact decision per line, in input order.
  --workers N   worker threads (default: ${availableParallelism()}, the available cores)
  --no-trace    reasons without the checks and arithmetic trace (faster, smaller)
  --as-of DATE  choose the product revision in force on DATE for every line
A line that is not JSON, or for which no revision is in force, gives {"error": "line N: ..."}
and the exit code 1.`;

export async function run(argv: string[]): Promise<number> {
  const positional: string[] = [];
  let workers: number | undefined;
  let trace = true;
  let asOf: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') ? a.split('=', 2) as [string, string | undefined] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (flag === '--workers') {
      workers = Number(value());
      if (!Number.isInteger(workers) || workers < 1) return usage('--workers takes a whole number >= 1');
    } else if (flag === '--no-trace') trace = false;
    else if (flag === '--as-of') asOf = value();
    else if (a.startsWith('--')) return usage(`unknown option ${a}`);
    else positional.push(a);
  }
  const [product, file] = positional;
  if (!product || !file) return usage('name a product and an NDJSON facts file');
  if (file !== '-' && !existsSync(file)) return usage(`no facts file at ${file}`);
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 256 * 1024 });
  try {
    const r = await runBatch({ product, input, output: process.stdout, ...(workers ? { workers } : {}), trace, ...(asOf ? { asOf } : {}) });
    if (r.failed) process.stderr.write(`yakkan batch: ${r.failed} line(s) could not be decided\n`);
    return r.failed ? 1 : 0;
  } catch (e) {
    process.stderr.write(`yakkan batch: ${(e as Error).message}\n`);
    return 1;
  }
}

function usage(msg: string): number {
  process.stderr.write(`yakkan batch: ${msg}\n\n${USAGE}\n`);
  return 2;
}
