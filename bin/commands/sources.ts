// yakkan sources [product...]: every citation of every product revision.
import { loadProduct } from '../../engine/loading/load.js';
import { productCitations } from '../../engine/loading/sources.js';
import { defineCommand, EXIT, formatOption } from '../args.js';
import { productDirs, requirePath } from '../product.js';

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
    const out = paths.flatMap((path) =>
      loadProduct(path).revisions.flatMap((r) => productCitations(r.checked.product)),
    );
    const line = (c: (typeof out)[number]) =>
      `${c.product}@${c.revision} ${c.rule} ${c.source} §${c.section} 「${c.quote}」\n`;
    process.stdout.write(values.format === 'json' ? `${JSON.stringify(out)}\n` : out.map(line).join(''));
    return EXIT.ok;
  },
});
