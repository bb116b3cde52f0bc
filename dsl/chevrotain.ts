// chevrotain, loaded from its single-file ESM bundle (lib/chevrotain.mjs, shipped in the package).
// The package entry (lib/src/api.js) imports ~650 lodash-es modules one file at a time: ~390 ms
// of a cold start here, against ~25 ms for the bundle (same version, same code, bundled).
// chevrotain's "exports" hides the bundle from a bare specifier, so it is found beside the
// entry that `require.resolve` names (wherever npm put the package: ours or a hoisted copy).
// Everything in dsl/ takes chevrotain's values from here; types still come from 'chevrotain'.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

async function load(): Promise<Chevrotain> {
  let bundle: string | undefined;
  try {
    bundle = join(dirname(createRequire(import.meta.url).resolve('chevrotain')), '..', 'chevrotain.mjs');
  } catch {
    bundle = undefined;
  }
  if (bundle) {
    try {
      return (await import(pathToFileURL(bundle).href)) as Chevrotain;
    } catch {
      // A chevrotain without the bundle: the package entry below.
    }
  }
  return import('chevrotain');
}

export const chevrotain: Chevrotain = await load();
