// Builds `yakkan decide` (bin/decide-main.ts and what it imports, dynamic imports as chunks)
// into dist/bin/bundle/ from the compiled dist/ files, with esbuild. Run by `npm run build` and
// `prepare` after tsc; without esbuild (a production install), nothing is built and the CLI runs
// from its modules.
//
// The bundle is used only while it is current: inputs.json lists every dist/ file it was built
// from with its size, modification time and SHA-1, and bin/yakkan.js compares them before
// choosing it (the hash only when the time differs, as after `npm install` of the packed files),
// so a dist/ rebuilt by tsc alone (the edit-compile loop) runs the modules, never a stale copy.
// Packages stay outside (imported from node_modules as before: one copy of each); a module's
// own URL (import.meta.url, used to find the project, the commands, the worker modules) is
// rewritten to the URL of its file in dist/, so it finds what it found unbundled.
//   node dist/bin/bundle.js
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../engine/loading/sources.js';

export const BUNDLE_DIR = ['dist', 'bin', 'bundle'];

// outdir: dist/bin/bundle, or another folder (a test's), which bin/yakkan.js then uses when
// YAKKAN_BUNDLE names it.
export async function buildCliBundle(
  root = projectRoot(),
  outdir = join(root, ...BUNDLE_DIR),
): Promise<string | undefined> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  const dist = join(root, 'dist');
  // Built beside and renamed into place: a CLI starting meanwhile finds the old build whole, or none.
  const building = `${outdir}.${process.pid}.tmp`;
  rmSync(building, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(dist, 'bin', 'decide-main.js')],
    outdir: building,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'error',
    plugins: [
      {
        name: 'own-url',
        setup(b) {
          b.onLoad({ filter: /\.js$/ }, (args) => {
            if (!args.path.startsWith(dist)) return undefined;
            const rel = relative(building, args.path).split('\\').join('/');
            const text = readFileSync(args.path, 'utf8').replace(
              /\bimport\.meta\.url\b/g,
              `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
            );
            return { contents: text, loader: 'js', resolveDir: dirname(args.path) };
          });
        },
      },
    ],
  });
  const files = Object.keys(result.metafile.inputs)
    .map((f) => resolve(root, f))
    .filter((f) => f.startsWith(dist))
    .map((f) => {
      const s = statSync(f);
      const sha1 = createHash('sha1').update(readFileSync(f)).digest('hex');
      return [relative(building, f).split('\\').join('/'), s.size, s.mtimeMs, sha1];
    });
  writeFileSync(join(building, 'inputs.json'), `${JSON.stringify({ entry: 'decide-main.js', files })}\n`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(dirname(outdir), { recursive: true });
  renameSync(building, outdir);
  return outdir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  buildCliBundle().then(
    (dir) => process.stdout.write(dir ? `cli bundle: ${dir}\n` : 'cli bundle: no esbuild, not built\n'),
    (e: Error) => {
      process.stderr.write(`cli bundle: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
