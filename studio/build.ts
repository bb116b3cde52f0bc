// Bundles the studio's browser app (studio/app/) into dist/studio/public/: app.js (the app, the
// language service, CodeMirror, Preact), app.css and index.html. Run by `npm run build` and
// `prepare` (so an install builds it; the bundle is never committed), by the studio's end-to-end
// test, and by the plugin when it finds no bundle in a clone that has esbuild.
//   node dist/studio/build.js [outdir]
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../engine/loading/sources.js';
import { bundleForBrowser } from '../language/bundle.js';

const APP = join(projectRoot(), 'studio', 'app');

export async function buildStudio(outdir = join(projectRoot(), 'dist', 'studio', 'public')): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const result = await bundleForBrowser({
    entryPoints: [
      { in: join(APP, 'main.ts'), out: 'app' },
      { in: join(APP, 'style.css'), out: 'app' },
    ],
    outdir,
    minify: true,
    legalComments: 'none',
  });
  if (result.errors.length) throw new Error(result.errors.map((e) => e.text).join('\n'));
  copyFileSync(join(APP, 'index.html'), join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  buildStudio(process.argv[2]).then(
    (dir) => process.stdout.write(`studio bundle: ${dir}\n`),
    (e: Error) => {
      process.stderr.write(`studio bundle: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
