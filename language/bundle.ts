// Bundling the language service for a browser (Node side: esbuild). The service's own modules
// import nothing of Node's; the one module of the DSL front end that does, dsl/chevrotain.ts
// (it locates chevrotain's bundle on disk), is replaced by language/browser/chevrotain.ts.
// test/language-bundle.test.ts builds this bundle and runs it without Node's globals.
import { build, type BuildOptions, type BuildResult, type Plugin } from 'esbuild';
import { join, resolve } from 'node:path';
import { projectRoot } from '../engine/loading/sources.js';

const ROOT = projectRoot();

// Swap dsl/chevrotain.ts for its browser twin.
export const browserChevrotain: Plugin = {
  name: 'yakkan-browser-chevrotain',
  setup(b) {
    b.onResolve({ filter: /^\.\/chevrotain\.js$/ }, (args) =>
      resolve(args.resolveDir) === join(ROOT, 'dsl')
        ? { path: join(ROOT, 'language', 'browser', 'chevrotain.ts') }
        : undefined,
    );
  },
};

export type BundleOptions = Omit<BuildOptions, 'bundle' | 'platform'>;

// Bundles an entry (by default the language service, language/index.ts) for the browser, from
// the TypeScript sources. `write: false` returns the output in the result instead of a file.
export function bundleForBrowser(options: BundleOptions = {}): Promise<BuildResult> {
  return build({
    entryPoints: [join(ROOT, 'language', 'index.ts')],
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    ...options,
    bundle: true,
    platform: 'browser',
    plugins: [browserChevrotain, ...(options.plugins ?? [])],
  });
}
