// The command line keeps one convention: every command has --help (which never runs it), refuses
// unknown flags and flags without their value with a one-line error and the usage line (exit 2),
// never prints a stack trace, and lets its output drain into a pipe however slowly it is read.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideIn } from '../engine/loading/load.js';
import { canonicalJson } from '../engine/pipeline/json.js';
import { readYaml } from '../engine/tools/cases.js';
import { product, ROOT } from './helpers.js';

const CLI = join(ROOT, 'bin', 'yakkan.js');
const built = existsSync(join(ROOT, 'dist', 'bin', 'cli.js'));
const NEXI = 'products/nexi-ip-license';
const CLAIM = `${NEXI}/examples/claim.yaml`;

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', input, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Every command built into dist/bin/commands, whoever added it.
const commands = built
  ? readdirSync(join(ROOT, 'dist', 'bin', 'commands'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => f.slice(0, -3))
  : [];

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);

// Every command's --help and an unknown flag, run through the command modules in one process
// (a process each would take a minute): what each wrote to stdout and stderr, and its exit code.
function throughEveryCommand(args: string[]): Record<string, { code: number; stdout: string; stderr: string }> {
  const script = `
    const out = {};
    for (const name of ${JSON.stringify(commands)}) {
      const m = await import(new URL('./dist/bin/commands/' + name + '.js', 'file://${ROOT}/').href);
      const seen = { stdout: '', stderr: '' };
      const saved = [process.stdout.write, process.stderr.write];
      process.stdout.write = (t) => ((seen.stdout += t), true);
      process.stderr.write = (t) => ((seen.stderr += t), true);
      try {
        seen.code = m.command ? await m.command.run(${JSON.stringify(args)}) : 'no command export';
      } finally {
        [process.stdout.write, process.stderr.write] = saved;
      }
      out[name] = seen;
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Record<string, { code: number; stdout: string; stderr: string }>;
}

describe.runIf(built)('every command', () => {
  it('--help prints its usage and the exit codes, exit 0, running nothing', () => {
    for (const [name, r] of Object.entries(throughEveryCommand(['--help']))) {
      expect([name, r.code, r.stderr]).toEqual([name, 0, '']);
      expect(r.stdout).toMatch(new RegExp(`^usage: yakkan ${name}`));
      expect(r.stdout).toContain('exit codes:');
    }
  });

  it('an unknown flag is one line and the usage line, exit 2', () => {
    for (const [name, r] of Object.entries(throughEveryCommand(['--no-such-flag']))) {
      expect([name, r.code, r.stdout]).toEqual([name, 2, '']);
      const [error, usage, end] = r.stderr.split('\n');
      expect(error).toMatch(new RegExp(`^yakkan ${name}: unknown option --no-such-flag`));
      expect(usage).toMatch(new RegExp(`^usage: yakkan ${name}`));
      expect(end).toBe('');
    }
  });

  it('yakkan --help lists every command with the exit codes; --version the package version', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const name of commands) expect(r.stdout).toMatch(new RegExp(`\\n  ${name} `));
    expect(r.stdout).toContain('\nexit codes:\n  0  ok');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run(['--version']).stdout).toBe(`${pkg.version}\n`);
  });
});

describe.runIf(built)('mistakes on the command line: one line and the usage, never a stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'fmt on a missing file',
      ['fmt', 'no/such/file.yk'],
      /^yakkan fmt: no file at no\/such\/file\.yk\nusage: yakkan fmt /,
    ],
    ['decide given a folder as facts', ['decide', NEXI, NEXI], /^yakkan decide: products\/nexi-ip-license is a folder/],
    ['--as-of without a value', ['decide', NEXI, CLAIM, '--as-of'], /^yakkan decide: --as-of needs a value\nusage: /],
    [
      '--as-of that is no date',
      ['explain', NEXI, CLAIM, '--as-of', '2025-13-45'],
      /^yakkan explain: --as-of takes a date/,
    ],
    [
      'a misspelt flag',
      ['explain', NEXI, CLAIM, '--lnag', 'en'],
      /^yakkan explain: unknown option --lnag \(did you mean --lang\?\)/,
    ],
    [
      'a product that is not there',
      ['decide', 'products/nope', CLAIM],
      /^yakkan decide: no product at products\/nope\n/,
    ],
    ['too many arguments', ['schema', NEXI, CLAIM], /^yakkan schema: unexpected argument /],
    ['an unknown command', ['chek'], /^yakkan: unknown command chek \(did you mean check\?\)\n/],
    [
      'a --workers that is no number',
      ['batch', NEXI, '-', '--workers', 'two'],
      /^yakkan batch: --workers takes a whole number/,
    ],
  ];
  it.each(cases)('%s', (_what, args, message) => {
    const r = run(args, '');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    noStack(r.stderr);
    expect(r.stderr.split('\n').length).toBeLessThanOrEqual(3);
  });

  it('check --help checks nothing', () => {
    const r = run(['check', '--help']);
    expect(r.stdout).toMatch(/^usage: yakkan check/);
    expect(r.stdout).not.toMatch(/\d+ errors?, \d+ warnings?/);
  });
});

describe.runIf(built)('facts from standard input, --format json', () => {
  it('decide - reads YAML or JSON from stdin: the same bytes as from the file', () => {
    const fromFile = run(['decide', NEXI, CLAIM]);
    expect(fromFile.status).toBe(0);
    const yamlText = readFileSync(join(ROOT, CLAIM), 'utf8');
    expect(run(['decide', NEXI, '-'], yamlText).stdout).toBe(fromFile.stdout);
    expect(run(['decide', NEXI, '-'], JSON.stringify(readYaml(yamlText))).stdout).toBe(fromFile.stdout);
  });

  it('check --format json: one report with each product and its diagnostics', () => {
    const r = run(['check', NEXI, '--format', 'json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { products: { path: string; ok: boolean; diagnostics: unknown[] }[] };
    expect(report.products.map((p) => [p.path, p.ok])).toEqual([[NEXI, true]]);
    expect(run(['check', NEXI, '--json']).stdout).toBe(r.stdout);
  });

  it('test --format json: every case with its result', () => {
    const r = run(['test', 'test/fixtures/revisions', '--format', 'json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { passed: number; failed: number; cases: { ok: boolean }[] };
    expect([report.passed, report.failed, report.cases.length]).toEqual([5, 0, 5]);
  });
});

describe.runIf(built)('output into a pipe', () => {
  // About 170 KB of decision: beyond a pipe's 64 KiB, read in small sips with pauses between.
  const file = 'products/cyber/cases/201-printed-estimate-premium-paid-in-full.yaml';
  it('a large decision arrives whole through a slow reader', async () => {
    const facts = (readYaml(readFileSync(join(ROOT, file), 'utf8')) as { facts: unknown }).facts;
    const expected = `${canonicalJson(decideIn(product(join(ROOT, 'products/cyber')), facts).decision)}\n`;
    expect(expected.length).toBeGreaterThan(1 << 17);
    const child = spawn(process.execPath, [CLI, 'decide', 'products/cyber', file], { cwd: ROOT });
    const got: Buffer[] = [];
    child.stdout.pause();
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Nothing is read until the writer has had time to finish and (wrongly) exit.
    await new Promise((r) => setTimeout(r, 300));
    child.stdout.on('data', (b: Buffer) => {
      got.push(b);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 2);
    });
    child.stdout.resume();
    expect(await exit).toBe(0);
    expect(Buffer.concat(got).toString('utf8')).toBe(expected);
  });

  it('a reader that stops early (sources | head) is no error', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" sources | head -1`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stdout.split('\n')).toHaveLength(2);
    expect(r.stderr).toBe('');
  });
});
