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

// Set by bin/yakkan.js when every file of the product it was asked about is in the
// compiled-model cache (engine/loading/product-cache.ts preloadProduct): nothing will be parsed, so
// chevrotain is not loaded. The token and parser modules are then built on a stand-in that
// only fails if used, which would mean a product file changed between the preload and the load.
export const DEFER_DSL = Symbol.for('yakkan.deferDsl');

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

function standIn(): Chevrotain {
  const unavailable = (): never => {
    throw new Error(
      'a product file changed while it was being loaded from the compiled-model cache: run the command again',
    );
  };
  class Unavailable {
    static NA = /NOT_APPLICABLE/;
    static SKIPPED = 'SKIPPED';
    constructor() {
      unavailable();
    }
  }
  return {
    createToken: (config: { name: string }) => ({ name: config.name }),
    Lexer: Unavailable,
    CstParser: Unavailable,
    EOF: { name: 'EOF' },
  } as unknown as Chevrotain;
}

export const chevrotainDeferred = (globalThis as { [DEFER_DSL]?: boolean })[DEFER_DSL] === true;
export const chevrotain: Chevrotain = chevrotainDeferred ? standIn() : await load();
