// `yakkan inventory [inventory.yaml] [--json]`: which items of a checklist of decidable pamphlet
// items (each with a verbatim quote) no product cites yet. A citation counts when its quote and
// the item's quote overlap (one contains the other), in the same seed file.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readYaml } from '../../engine/tools/cases.js';
import { loadProduct } from '../../engine/loading/load.js';
import { projectRoot } from '../../engine/loading/sources.js';

interface Item { id: string; quote?: string }
interface Inventory { pamphlets: Record<string, { products: (Record<string, unknown> & { id: string })[] }> }

const SECTIONS = ['eligibility', 'covered', 'exclusions', 'limits', 'formulas', 'tables', 'dates_and_deadlines', 'territory', 'definitions', 'conditions', 'riders'];

export function run(argv: string[]): number {
  const json = argv.includes('--json');
  const file = argv.find((a) => !a.startsWith('--')) ?? resolve(projectRoot(), '../shared/inventory.yaml');
  if (!existsSync(file)) {
    process.stderr.write(`yakkan inventory: no inventory at ${file} (give its path)\n`);
    return 2;
  }
  const inv = readYaml(readFileSync(file, 'utf8')) as Inventory;
  const quotes = new Map<string, string[]>();
  const root = resolve('products');
  for (const d of existsSync(root) ? readdirSync(root).sort() : []) {
    if (!statSync(join(root, d)).isDirectory()) continue;
    for (const r of loadProduct(join(root, d)).revisions) {
      const p = r.checked.product;
      const all = [...p.rules.flatMap((x) => x.cite), ...p.formulas.flatMap((x) => x.cite), ...p.tables.flatMap((t) => [...t.cite, ...t.rows.flatMap((row) => row.cite ?? [])]),
        ...p.amounts.flatMap((a) => [...a.cite, ...a.steps.flatMap((s) => s.cite ?? [])]), ...p.facts.flatMap((f) => (f as { cite?: typeof p.rules[number]['cite'] }).cite ?? [])];
      for (const c of all) (quotes.get(c.source) ?? quotes.set(c.source, []).get(c.source)!).push(c.quote);
    }
  }
  const report: { pamphlet: string; product: string; total: number; uncited: string[] }[] = [];
  for (const [pamphlet, pam] of Object.entries(inv.pamphlets)) {
    const cited = quotes.get(pamphlet) ?? [];
    for (const prod of pam.products) {
      const items = SECTIONS.flatMap((s) => (prod[s] as Item[] | undefined) ?? []);
      const uncited = items.filter((it) => !it.quote || !cited.some((q) => q.includes(it.quote!) || (it.quote!.includes(q) && q.length >= Math.min(12, it.quote!.length)))).map((it) => it.id);
      report.push({ pamphlet, product: prod.id, total: items.length, uncited });
    }
  }
  if (json) {
    process.stdout.write(JSON.stringify(report) + '\n');
  } else {
    const total = report.reduce((n, r) => n + r.total, 0);
    const open = report.reduce((n, r) => n + r.uncited.length, 0);
    for (const r of report) process.stdout.write(`${r.product.padEnd(34)} ${String(r.total - r.uncited.length).padStart(3)}/${String(r.total).padEnd(3)} ${r.uncited.slice(0, 8).join(' ')}${r.uncited.length > 8 ? ` (+${r.uncited.length - 8})` : ''}\n`);
    process.stdout.write(`\n${total - open}/${total} inventory items are cited by a product\n`);
  }
  return 0;
}
