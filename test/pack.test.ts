// The package as a user gets it: `npm pack`, installed into a fresh project, imported from
// TypeScript (type-checked against the emitted declarations) and from plain ESM, deciding a
// bundled claim, and the installed `yakkan` binary deciding the same claim to the same bytes.
// The install is offline from npm's cache when it can be, else it may fetch what the cache lacks.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readYaml } from '../engine/tools/cases.js';
import { ROOT } from './helpers.js';

const built = existsSync(join(ROOT, 'dist', 'engine', 'index.d.ts'));
const NEXI = 'products/nexi-ip-license';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe.runIf(built)('the npm package', () => {
  let dir = '';
  let project = '';
  let files: string[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'yakkan-pack-'));
    // dist/ is already built (npm test compiles first): `prepare` need not build it again.
    const packed = JSON.parse(
      execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    files = packed[0]!.files.map((f) => f.path);
    project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "uses-yakkan", "private": true, "type": "module" }\n');
    // No install scripts: the native modules of the service commands are not needed here.
    const install = (mode: string) =>
      spawnSync(npm, ['install', mode, '--ignore-scripts', '--no-audit', '--no-fund', join(dir, packed[0]!.filename)], {
        cwd: project,
        encoding: 'utf8',
      });
    const r = install('--offline');
    if (r.status !== 0) expect(install('--prefer-offline').stderr).not.toMatch(/npm error/);
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('holds the built code, declarations, schemas, the CLI and the example products; no tests, bench or cases', () => {
    for (const f of ['bin/yakkan.js', 'dist/engine/index.js', 'dist/engine/index.d.ts', 'dist/bin/cli.js', 'LICENSE']) {
      expect(files).toContain(f);
    }
    expect(files).toContain('schemas/decision.schema.json');
    expect(files).toContain(`${NEXI}/product.yk`);
    expect(files).toContain(`${NEXI}/examples/claim.yaml`);
    const unwanted = files.filter((f) =>
      /^(test|bench|dist\/bench|dist\/test)\/|\/cases\/|\.map$|\.ts$(?<!\.d\.ts)|tools\/reference\./.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('imports from TypeScript, type-checked against the declarations', () => {
    writeFileSync(
      join(project, 'main.ts'),
      `import { readFileSync } from 'node:fs';
import { type Decision, decideIn, explain, hasErrors, loadProduct, type Product } from 'yakkan';
const product = loadProduct('node_modules/yakkan/${NEXI}');
if (hasErrors(product.diagnostics)) throw new Error('the bundled product has errors');
const model: Product = product.revisions[0]!.checked.product;
const { decision } = decideIn(product, JSON.parse(readFileSync(0, 'utf8')) as unknown);
const d: Decision | undefined = decision;
const outcome: string = d ? d.outcome : 'none';
// @ts-expect-error an outcome is one of the decision schema's words
const wrong: Decision['outcome'] = 'maybe';
console.log(model.id, outcome, wrong, explain(d!, { lang: 'en' }).length > 0);
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['main.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(tsc.stdout).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('imports from plain ESM and decides a claim; the installed binary gives the same decision', () => {
    const claim = JSON.stringify(readYaml(readFileSync(join(ROOT, NEXI, 'examples', 'claim.yaml'), 'utf8')));
    writeFileSync(
      join(project, 'main.mjs'),
      `import { canonicalJson, decideIn, loadProduct } from 'yakkan';
import { readFileSync } from 'node:fs';
const facts = JSON.parse(readFileSync(0, 'utf8'));
const { decision } = decideIn(loadProduct('node_modules/yakkan/${NEXI}'), facts);
process.stdout.write(canonicalJson(decision) + '\\n');
`,
    );
    const esm = spawnSync(process.execPath, ['main.mjs'], { cwd: project, encoding: 'utf8', input: claim });
    expect(esm.stderr).toBe('');
    const decision = JSON.parse(esm.stdout) as { outcome: string; product: { id: string } };
    expect([decision.product.id, decision.outcome]).toEqual(['nexi-ip-license', 'excluded']);

    const bin = join(project, 'node_modules', '.bin', 'yakkan');
    const cli = spawnSync(bin, ['decide', `node_modules/yakkan/${NEXI}`, '-'], {
      cwd: project,
      encoding: 'utf8',
      input: claim,
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toBe(esm.stdout);
    // What the user's node_modules holds is only what the package declares.
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('json-rules-engine');
  });
});
