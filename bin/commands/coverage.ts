// yakkan coverage [path...]: the report of `yakkan test --coverage`, without the case lines.
import { canonicalJson } from '../../engine/pipeline/json.js';
import { coverage, renderCoverage } from '../../engine/tools/coverage.js';
import { defineCommand, EXIT, formatOption, UsageError } from '../args.js';
import { requirePath } from '../product.js';

export const command = defineCommand({
  name: 'coverage',
  args: '[path...]',
  summary: 'what the case files exercise: rules, table rows, amount steps, cited passages',
  description: `Runs the case files under the paths (default: products/) and reports, per product
revision, which rules fired, which table rows were looked up, which amount steps applied, which
formula if-arms were taken, and which cited pamphlet passages no case reaches; it ends with every
rule no case fires. \`yakkan test --coverage\` prints the same report after the case results.`,
  options: { format: formatOption },
  run({ values, positionals }) {
    const paths = positionals.length ? positionals : ['products'];
    for (const p of paths) requirePath(p, 'product or case folder');
    const report = coverage(paths);
    if (report.products.length === 0) throw new UsageError(`no products or case files under ${paths.join(', ')}`);
    process.stdout.write(values.format === 'json' ? `${canonicalJson(report)}\n` : renderCoverage(report));
    return EXIT.ok;
  },
});
