// yakkan check [product...]: load and check products like a compiler.
import { hasErrors, renderDiagnostics } from '../../dsl/diagnostics.js';
import { loadProduct } from '../../engine/loading/load.js';
import { loadSources, sourcesDirSetting } from '../../engine/loading/sources.js';
import { canonicalJson } from '../../engine/pipeline/json.js';
import { defineCommand, EXIT, formatOption } from '../args.js';
import { productDirs, requirePath } from '../product.js';

export const command = defineCommand({
  name: 'check',
  args: '[product...]',
  summary: 'check products (all under products/ when none is named)',
  description: `Loads and checks each product (a folder, or one .yk / .json file; every folder under
products/ when none is named): syntax, names and types, tables for gaps and overlaps, revisions,
and every citation's quote against the pamphlets when the seed folder is there (YAKKAN_SOURCES).
Exits 1 when any product has errors.`,
  options: { format: formatOption },
  run({ values, positionals }) {
    const paths = positionals.length ? positionals : productDirs();
    for (const path of paths) requirePath(path, 'product');
    const sources = loadSources();
    if (!sources) {
      const dir = sourcesDirSetting().dir;
      process.stderr.write(`note: no seed folder at ${dir}: quotes are not checked (set YAKKAN_SOURCES)\n`);
    }
    let errors = false;
    const report: unknown[] = [];
    for (const path of paths) {
      const p = loadProduct(path);
      const failed = hasErrors(p.diagnostics);
      errors ||= failed;
      const revisions = p.revisions.map((r) => `${r.checked.product.id}@${r.checked.product.revision}`);
      if (values.format === 'json') {
        report.push({ path, revisions, ok: !failed, diagnostics: p.diagnostics });
        continue;
      }
      const text = renderDiagnostics(p.diagnostics, p.sources);
      process.stdout.write(`${path}: ${revisions.join(', ') || '(nothing loaded)'} — ${text.split('\n').pop()}\n`);
      if (p.diagnostics.length) process.stdout.write(`${text}\n\n`);
    }
    if (values.format === 'json') {
      process.stdout.write(`${canonicalJson({ quotesChecked: sources !== undefined, products: report })}\n`);
    }
    return errors ? EXIT.failed : EXIT.ok;
  },
});
