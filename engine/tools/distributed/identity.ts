// What a worker must share with its coordinator before it may decide a chunk: the engine (the
// code that turns facts into decision bytes) and every product revision the run names, each by a
// content hash. Same revision + same facts = the same bytes only holds when both are the same, so
// a worker that differs in either refuses the run instead of mixing its answers into the output.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { productFiles } from '../../loading/files.js';
import { projectRoot } from '../../loading/sources.js';

// The hash the decision log keeps for a product snapshot (server/log/snapshot.ts): every file of
// the product, by name and text in name order. undefined when the path holds no product file.
export function productHash(path: string): string | undefined {
  const files = productFiles(path);
  if (files.length === 0) return undefined;
  const h = createHash('sha256');
  const named = files.map((f) => ({ name: basename(f), file: f })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const f of named) h.update(f.name).update('\0').update(readFileSync(f.file, 'utf8')).update('\0');
  return h.digest('hex');
}

// The folders whose code decides: the DSL front end, the pipeline, loading, and the tools that
// declare the tasks. A server or studio change does not make two workers disagree.
const DECIDING = ['dsl', 'engine/pipeline', 'engine/loading', 'engine/tools'];

let started: string | undefined;

// `yakkan <version> <hash>`: the package version, and a hash of the code that runs (the built
// files when there is a build, as the CLI and every worker run those). Read from the files each
// time: a coordinator names the installation as it is when the run starts.
export function engineVersion(): string {
  const root = projectRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const built = existsSync(join(root, 'dist', 'engine'));
  const h = createHash('sha256');
  for (const dir of DECIDING) {
    for (const file of codeFiles(join(root, built ? 'dist' : '', dir), built ? '.js' : '.ts')) {
      h.update(file.slice(root.length)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return `yakkan ${pkg.version} ${h.digest('hex').slice(0, 16)}`;
}

// The engine this process loaded: the installation as it was when first asked. A long-lived
// worker compares it with the files now; an installation changed under it (an upgrade, a
// rebuild) is not the code it runs.
export function engineAtStart(): string {
  started ??= engineVersion();
  return started;
}

function codeFiles(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...codeFiles(full, ext));
    else if (name.endsWith(ext) && !name.endsWith(`.d${ext}`)) out.push(full);
  }
  return out;
}

// Which run a corpus file belongs to, cheaply: its size and a hash of its first and last MiB.
// Correctness does not rest on it (every chunk is keyed by its own content); it only lets a
// restarted coordinator find the run it left, even when the file was rewritten with the same text
// (`diff --from-log` writes a fresh temporary file each time).
export function corpusIdentity(file: string): string {
  const size = statSync(file).size;
  const span = 1 << 20;
  const h = createHash('sha256').update(String(size));
  const fd = openSync(file, 'r');
  try {
    for (const at of size <= 2 * span ? [0] : [0, size - span]) {
      const buf = Buffer.alloc(Math.min(size, size <= 2 * span ? size : span));
      readSync(fd, buf, 0, buf.length, at);
      h.update(buf);
    }
  } finally {
    closeSync(fd);
  }
  return `${size}:${h.digest('hex').slice(0, 32)}`;
}
