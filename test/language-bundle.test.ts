// The language service runs in a browser: bundled by esbuild for `platform: 'browser'` (which
// cannot resolve Node's built-ins, so an import of one fails the build), and run in a context
// without Node's globals (no process, no require), where it checks a real product.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import { bundleForBrowser } from '../language/bundle.js';
import { ROOT } from './helpers.js';

describe('the language service in a browser bundle', () => {
  it('bundles with no Node built-in and runs without Node', async () => {
    const result = await bundleForBrowser({ write: false, metafile: true, format: 'iife', globalName: 'yakkan' });
    expect(result.errors).toEqual([]);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const imported = Object.values(result.metafile!.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imported.filter((p) => builtins.has(p))).toEqual([]);
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs).toContain('language/browser/chevrotain.ts');
    expect(inputs).not.toContain('dsl/chevrotain.ts');

    const context = vm.createContext({ performance: { now: () => 0 } });
    vm.runInContext(result.outputFiles![0]!.text, context);
    context['text'] = readFileSync(join(ROOT, 'products', 'nexi-ip-license', 'product.yk'), 'utf8');
    const out = vm.runInContext(
      `
      const s = new yakkan.LanguageService(yakkan.memoryHost());
      s.update('nexi', text);
      const typo = text.replace('when buyer.related_party and', 'when buyer.related_partyy and');
      s.update('typo', typo);
      JSON.stringify({
        clean: s.diagnostics('nexi').filter((d) => d.severity === 'error').length,
        typo: s.diagnostics('typo').map((d) => d.code + ' ' + (d.fixes[0] ? d.fixes[0].title : '')),
        outline: s.outline('nexi').length,
        node: typeof process + ' ' + typeof require,
      })`,
      context,
    ) as string;
    expect(JSON.parse(out)).toEqual({
      clean: 0,
      typo: ['check/unknown-name Change to buyer.related_party'],
      outline: expect.any(Number),
      node: 'undefined undefined',
    });
  });
});
