// `yakkan serve` as a child process, for the tests and the bench that need a real server process
// (kill -9, one pinned core): started, and its address once it says it is listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../engine/loading/sources.js';

export interface ServeProcess {
  child: ChildProcess;
  base: string;
  exit: Promise<number | null>;
}

// `prefix` runs the server under another command (`['taskset', '-c', '0']`).
export function startServe(args: string[], prefix: string[] = []): Promise<ServeProcess> {
  const root = projectRoot();
  const command = [...prefix, process.execPath, join(root, 'bin', 'yakkan.js'), 'serve', '--port', '0', ...args];
  const child = spawn(command[0]!, command.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => {
      err += c;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve({ child, base: m[1]!, exit });
    });
    void exit.then((code) => reject(new Error(`yakkan serve exited (${code}): ${err}`)));
  });
}
