// yakkan coverage [paths...] [--json]: the report of `yakkan test --coverage`, without the case lines.
import { coverage, renderCoverage } from '../../engine/tools/coverage.js';
import { parseOptions } from '../../engine/tools/diff.js';
import { canonicalJson } from '../../engine/pipeline/json.js';

const USAGE = `usage: yakkan coverage [paths...] [--json]

  Runs the case files under the paths (default: products/) and reports, per product revision,
  which rules fired, which table rows were looked up, which amount steps applied, which formula
  if-arms were taken — and which cited pamphlet passages no case reaches; it ends with every rule
  no case fires. \`yakkan test --coverage\` prints the same report after the case results.`;

export function run(argv: string[]): number {
  const a = parseOptions(argv, []);
  if (a.flags.has('help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const unknown = [...a.flags.keys()].filter((k) => k !== 'json');
  if (unknown.length) {
    process.stderr.write(`yakkan coverage: unknown option --${unknown[0]}\n${USAGE}\n`);
    return 2;
  }
  const report = coverage(a.positional.length ? a.positional : ['products']);
  if (report.products.length === 0) {
    process.stderr.write('yakkan coverage: no products or case files found\n');
    return 2;
  }
  process.stdout.write(a.flags.has('json') ? canonicalJson(report) + '\n' : renderCoverage(report));
  return 0;
}
