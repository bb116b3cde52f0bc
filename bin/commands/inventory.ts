// yakkan inventory [inventory.yaml]: which items of a checklist of decidable pamphlet items (each
// with a verbatim quote) no product cites yet. A citation counts when its quote and the item's
// quote overlap (one contains the other), in the same seed file.
import { resolve } from 'node:path';
import { loadProduct } from '../../engine/loading/load.js';
import { productCitations, projectRoot } from '../../engine/loading/sources.js';
import { readYaml } from '../../engine/tools/cases.js';
import { defineCommand, EXIT, formatOption } from '../args.js';
import { productDirs, readText } from '../product.js';

interface Item {
  id: string;
  quote?: string;
}
interface Inventory {
  pamphlets: Record<string, { products: (Record<string, unknown> & { id: string })[] }>;
}

const SECTIONS = [
  'eligibility',
  'covered',
  'exclusions',
  'limits',
  'formulas',
  'tables',
  'dates_and_deadlines',
  'territory',
  'definitions',
  'conditions',
  'riders',
];

export const command = defineCommand({
  name: 'inventory',
  args: '[inventory.yaml]',
  summary: 'checklist items of the pamphlets that no product cites yet',
  description: `Reads a checklist of decidable pamphlet items, each with a verbatim quote (default:
../shared/inventory.yaml beside the project), and lists per product the items whose quote no
citation of the products under products/ overlaps, in the same seed file.`,
  options: { format: formatOption },
  positionals: { max: 1 },
  async run({ values, positionals }) {
    const file = positionals[0] ?? resolve(projectRoot(), '../shared/inventory.yaml');
    const inv = readYaml(await readText(file)) as Inventory;
    const quotes = new Map<string, string[]>();
    for (const dir of productDirs()) {
      for (const r of loadProduct(dir).revisions) {
        for (const c of productCitations(r.checked.product)) {
          const list = quotes.get(c.source) ?? [];
          quotes.set(c.source, list);
          list.push(c.quote);
        }
      }
    }
    const report: { pamphlet: string; product: string; total: number; uncited: string[] }[] = [];
    for (const [pamphlet, pam] of Object.entries(inv.pamphlets)) {
      const cited = quotes.get(pamphlet) ?? [];
      const isCited = (q: string) =>
        cited.some((c) => c.includes(q) || (q.includes(c) && c.length >= Math.min(12, q.length)));
      for (const prod of pam.products) {
        const items = SECTIONS.flatMap((s) => (prod[s] as Item[] | undefined) ?? []);
        const uncited = items.filter((it) => !it.quote || !isCited(it.quote)).map((it) => it.id);
        report.push({ pamphlet, product: prod.id, total: items.length, uncited });
      }
    }
    if (values.format === 'json') {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return EXIT.ok;
    }
    const total = report.reduce((n, r) => n + r.total, 0);
    const open = report.reduce((n, r) => n + r.uncited.length, 0);
    for (const r of report) {
      const more = r.uncited.length > 8 ? ` (+${r.uncited.length - 8})` : '';
      const counts = `${String(r.total - r.uncited.length).padStart(3)}/${String(r.total).padEnd(3)}`;
      process.stdout.write(`${r.product.padEnd(34)} ${counts} ${r.uncited.slice(0, 8).join(' ')}${more}\n`);
    }
    process.stdout.write(`\n${total - open}/${total} inventory items are cited by a product\n`);
    return EXIT.ok;
  },
});
