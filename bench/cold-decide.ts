// Cold `yakkan decide`, spawn to exit, against a bare `node -e 0` in the same minute: the three
// are spawned in turn (interleaved), so a busy host slows all of them alike, and the ratios are
// of medians over the same rounds. The cached runs use their own cache folder, written by one
// untimed run first (a user's second and later runs).
//   node dist/bench/cold-decide.js [products/cyber] [--rounds 9] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../engine/loading/sources.js';
import { spawnWall } from './timing.js';

const ROOT = projectRoot();
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const product = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'products/cyber';
const rounds = Number(flag('--rounds') ?? 9);
const claim = join(product, 'examples', 'claim.yaml');
if (!existsSync(join(ROOT, claim))) throw new Error(`no example claim at ${claim}`);

const cacheDir = mkdtempSync(join(tmpdir(), 'yakkan-cold-'));
const cached = { YAKKAN_CACHE: cacheDir };
const off = { YAKKAN_CACHE: 'off' };
const decideCmd = [join(ROOT, 'bin', 'yakkan.js'), 'decide', product, claim];

const wall = (cmd: string[], env: Record<string, string> = {}) => spawnWall(ROOT, cmd, env);

function phases(env: Record<string, string>, cache: boolean): Record<string, number | boolean> {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'dist', 'bench', 'cold-phases.js'), product, claim, ...(cache ? ['--cache'] : [])],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } },
  );
  return JSON.parse(r.stdout) as Record<string, number | boolean>;
}

try {
  wall(decideCmd, cached);
  const runs: Record<'bare' | 'cached' | 'dsl', number[]> = { bare: [], cached: [], dsl: [] };
  for (let k = 0; k < rounds; k++) {
    // Rotated, so none of the three always follows the same one.
    const order = (['bare', 'cached', 'dsl'] as const).map((_, i, a) => a[(i + k) % 3]!);
    for (const what of order) {
      if (what === 'bare') runs.bare.push(wall(['-e', '0']));
      else runs[what].push(wall(decideCmd, what === 'cached' ? cached : off));
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const stat = (xs: number[]) => ({ median: Math.round(median(xs)), min: Math.round(Math.min(...xs)) });
  const bare = stat(runs.bare);
  const result = {
    product,
    rounds,
    bare,
    cached: { ...stat(runs.cached), ratio: +(median(runs.cached) / median(runs.bare)).toFixed(2) },
    dsl: { ...stat(runs.dsl), ratio: +(median(runs.dsl) / median(runs.bare)).toFixed(2) },
    phasesCached: phases(cached, true),
    phasesDsl: phases(off, false),
  };
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const row = (name: string, s: { median: number; min: number; ratio?: number }) =>
      `${name.padEnd(28)} median ${String(s.median).padStart(5)} ms  min ${String(s.min).padStart(5)} ms${s.ratio ? `  ${s.ratio}x bare` : ''}\n`;
    process.stdout.write(
      `cold yakkan decide ${product}, ${rounds} rounds interleaved\n` +
        row('node -e 0', bare) +
        row('decide, cached', result.cached) +
        row('decide, YAKKAN_CACHE=off', result.dsl) +
        `phases, cached: ${JSON.stringify(result.phasesCached)}\nphases, from the DSL: ${JSON.stringify(result.phasesDsl)}\n`,
    );
  }
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
