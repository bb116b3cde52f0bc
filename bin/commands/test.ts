// yakkan test [path...]: run case files; a failure names file, case, field, expected vs actual.
import { canonicalJson } from '../../engine/pipeline/json.js';
import { type CaseResult, findCaseFiles, formatFailure, runCase } from '../../engine/tools/cases.js';
import { defineCommand, EXIT, formatOption, UsageError } from '../args.js';
import { requirePath } from '../product.js';

export const command = defineCommand({
  name: 'test',
  args: '[path...]',
  summary: 'run case files (default: products/); a failure names the field, expected vs actual',
  description: `Runs every case file (docs/cases.md) under the paths (files or folders; products/
when none is named): each case's facts are decided by the revision they choose and compared
field by field with its \`expect\`. Exits 1 when any case fails.`,
  options: {
    quiet: { type: 'boolean', short: 'q', help: 'print failures and the summary only' },
    coverage: { type: 'boolean', help: 'then report what the cases exercised (as yakkan coverage)' },
    format: formatOption,
  },
  async run({ values, positionals }) {
    const paths = positionals.length ? positionals : ['products'];
    for (const p of paths) requirePath(p, 'case file or folder');
    if (findCaseFiles(paths).length === 0) throw new UsageError(`no case files under ${paths.join(', ')}`);
    const json = values.format === 'json';
    const results: CaseResult[] = [];
    const report = (r: CaseResult) => {
      results.push(r);
      if (json) return;
      if (!r.ok) process.stdout.write(`${formatFailure(r)}\n`);
      else if (!values.quiet) process.stdout.write(`ok   ${r.file} — ${r.case}\n`);
    };
    let coverageText = '';
    let coverageReport: unknown;
    if (values.coverage) {
      // The same runs, folded into the coverage report (yakkan coverage prints only the report).
      const m = await import('../../engine/tools/coverage.js');
      coverageReport = m.coverage(paths, report);
      coverageText = `\ncoverage:\n\n${m.renderCoverage(coverageReport as ReturnType<typeof m.coverage>)}`;
    } else {
      for (const f of findCaseFiles(paths)) report(runCase(f));
    }
    const failed = results.filter((r) => !r.ok).length;
    const passed = results.length - failed;
    if (json) {
      const cases = results.map(({ decision: _, ...r }) => r);
      const out = { passed, failed, cases, ...(values.coverage ? { coverage: coverageReport } : {}) };
      process.stdout.write(`${canonicalJson(out)}\n`);
    } else {
      process.stdout.write(`\n${passed} passed, ${failed} failed\n${coverageText}`);
    }
    return failed ? EXIT.failed : EXIT.ok;
  },
});
