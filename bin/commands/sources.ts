// yakkan sources [product...]: every citation of every product revision.
import { loadProduct } from '../../engine/loading/load.js';
import { defineCommand, EXIT, formatOption } from '../args.js';
import { productDirs, requirePath } from '../product.js';

interface Cite {
  source: string;
  section: string;
  quote: string;
}

export const command = defineCommand({
  name: 'sources',
  args: '[product...]',
  summary: 'list every citation: product, revision, rule, seed file, section, quote',
  description: `Lists every citation of every revision of the products (all under products/ when
none is named): one line each for people, or with --format json one array of
{"product","revision","rule","source","section","quote"} for tools.`,
  options: { format: formatOption },
  run({ values, positionals }) {
    const paths = positionals.length ? positionals : productDirs();
    for (const p of paths) requirePath(p, 'product');
    const out: ({ product: string; revision: string; rule: string } & Cite)[] = [];
    for (const path of paths) {
      for (const r of loadProduct(path).revisions) {
        const prod = r.checked.product;
        const add = (rule: string, cs: Cite[] | undefined) => {
          for (const c of cs ?? []) {
            const { source, section, quote } = c;
            out.push({ product: prod.id, revision: prod.revision, rule, source, section, quote });
          }
        };
        for (const f of prod.facts) add(`fact:${f.name}`, (f as { cite?: Cite[] }).cite);
        for (const x of prod.rules) add(x.id, x.cite);
        for (const x of prod.formulas) add(`${x.kind}:${x.name}`, x.cite);
        for (const t of prod.tables) {
          add(`table:${t.name}`, t.cite);
          t.rows.forEach((row, i) => add(`table:${t.name}/row ${i + 1}`, row.cite));
        }
        for (const x of prod.amounts) {
          add(`amount:${x.name}`, x.cite);
          x.steps.forEach((s, i) => add(`amount:${x.name}/step ${i + 1} ${s.step}`, s.cite));
        }
      }
    }
    if (values.format === 'json') process.stdout.write(`${JSON.stringify(out)}\n`);
    else
      for (const c of out) {
        process.stdout.write(`${c.product}@${c.revision} ${c.rule} ${c.source} §${c.section} 「${c.quote}」\n`);
      }
    return EXIT.ok;
  },
});
