// A throwaway PostgreSQL server for the tests: initdb into a temporary folder, started on
// 127.0.0.1 on a free port, trust authentication (nothing listens beyond loopback), fsync off
// (a test database need not survive a power cut), removed on stop. As root the server runs as
// the `postgres` user (PostgreSQL refuses to run as root). When no server can be started (no
// PostgreSQL installed), startPostgres says why, and the tests that need it skip with that.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Postgres {
  url: string;
  stop(): void;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

// A started server, or the reason none could be started.
export async function startPostgres(): Promise<Postgres | { skip: string }> {
  const bin = binDir();
  if (!bin)
    return { skip: 'PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres): apt-get install postgresql' };
  const user = postgresUser();
  if (process.getuid?.() === 0 && !user)
    return { skip: 'running as root and there is no postgres user to run PostgreSQL as' };
  const dir = mkdtempSync(join(tmpdir(), 'yakkan-pg-'));
  const data = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (cmd: string, args: string[]) =>
    execFileSync(join(bin, cmd), args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-U', 'yakkan', '--auth=trust', '-E', 'UTF8', '--locale=C']);
    const opts =
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} ` +
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']);
  } catch (e) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-500) : '';
    const err = (e as { stderr?: Buffer }).stderr?.toString().slice(-500) ?? (e as Error).message;
    rmSync(dir, { recursive: true, force: true });
    return { skip: `PostgreSQL could not be started: ${err.trim()} ${log.trim()}`.trim() };
  }
  return {
    url: `postgres://yakkan@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already gone: nothing to stop.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
