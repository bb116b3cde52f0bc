// `yakkan serve` as a process (dist/ is built by `npm test` before vitest runs): it listens on
// 127.0.0.1, says where, refuses another address without a token, writes the log's last batch
// on SIGTERM, and a kill -9 in the middle of a burst of decisions loses at most the batch that
// was not yet written, leaving a log that opens, checks and verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { openLog } from '../server/log/store.js';
import { verifyLog } from '../server/log/replay.js';
import { readYaml } from '../engine/tools/cases.js';
import { startServe } from '../server/child.js';
import { ROOT } from './helpers.js';

const YAKKAN = join(ROOT, 'bin', 'yakkan.js');
// Named here, made by the first beforeAll: a run that skips every test of this file leaves nothing.
const dir = join(tmpdir(), `yakkan-serve-cli-${process.pid}-${Date.now()}`);
beforeAll(() => {
  mkdirSync(dir, { recursive: true });
});
const FACTS = JSON.stringify(
  readYaml(readFileSync(join(ROOT, 'products', 'nexi-ip-license', 'examples', 'claim.yaml'), 'utf8')),
);
const running: ChildProcess[] = [];

afterAll(() => {
  for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function serve(args: string[]) {
  const s = await startServe(['products/nexi-ip-license', '--log-level', 'warn', ...args]);
  running.push(s.child);
  return s;
}

const decide = (base: string) =>
  fetch(`${base}/v1/products/nexi-ip-license/decide?trace=false`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: FACTS,
  });

describe('yakkan serve', () => {
  it('serves, and on SIGTERM writes the last batch of the log and exits 0', async () => {
    const file = join(dir, 'term.sqlite');
    const s = await serve(['--log', file]);
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await decide(s.base)).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    const log = await openLog(file);
    expect((await verifyLog(log, {})).identical).toBe(5);
    await log.close();
  });

  it('refuses to listen beyond loopback without a token (exit 2), and says so', () => {
    const r = spawnSync(
      process.execPath,
      [YAKKAN, 'serve', 'products/nexi-ip-license', '--host', '0.0.0.0', '--no-log'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, YAKKAN_TOKEN: '' },
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs a bearer token .* or --open/);
  });

  it('kill -9 during a burst of decisions loses at most the unwritten batch; the log stays readable', async () => {
    const file = join(dir, 'killed.sqlite');
    const s = await serve(['--log', file]);
    let ok = 0;
    let stop = false;
    // Eight clients deciding as fast as they can; the server is killed once 1,500 are answered.
    const client = async () => {
      while (!stop) {
        try {
          const r = await decide(s.base);
          await r.arrayBuffer();
          if (r.status === 200) ok++;
        } catch {
          return;
        }
        if (ok >= 1500 && !stop) {
          stop = true;
          s.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    await s.exit;
    const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Sqlite(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const log = await openLog(file);
    const r = await verifyLog(log, {});
    await log.close();
    expect(r.differences).toEqual([]);
    expect(r.failures).toEqual([]);
    // Answered but not yet written when killed: at most one batch (500 decisions, or 100 ms of them).
    expect(r.checked).toBeGreaterThanOrEqual(ok - 500);
    expect(r.checked).toBeLessThanOrEqual(ok + 8);
  }, 120_000);
});
