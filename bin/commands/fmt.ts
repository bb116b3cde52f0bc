// yakkan fmt <file.yk...>: print, rewrite or check the canonical layout of product files.
import { renameSync, writeFileSync } from 'node:fs';
import { formatSource } from '../../dsl/format.js';
import { defineCommand, EXIT, UsageError } from '../args.js';
import { readText } from '../product.js';

export const command = defineCommand({
  name: 'fmt',
  args: '<file.yk...>',
  summary: 'format product files (print, --write, or --check)',
  description: `Formats .yk product files: prints the formatted text (one file), rewrites the files
(--write), or lists those that are not formatted and exits 1 (--check).`,
  options: {
    write: { type: 'boolean', help: 'rewrite the files in place' },
    check: { type: 'boolean', help: 'exit 1 when a file is not formatted, changing nothing' },
  },
  positionals: { min: 1 },
  async run({ values, positionals }) {
    if (values.write && values.check) throw new UsageError('--write or --check, not both');
    if (!values.write && !values.check && positionals.length > 1) {
      throw new UsageError('one file to print; several with --write or --check');
    }
    const bad = positionals.find((f) => !f.endsWith('.yk'));
    if (bad) throw new UsageError(`fmt takes .yk files, not ${bad}`);
    let unformatted = 0;
    for (const file of positionals) {
      const src = await readText(file);
      const out = formatSource(src);
      if (values.check) {
        if (out === src) continue;
        unformatted++;
        process.stdout.write(`${file} is not formatted (run yakkan fmt ${file} --write)\n`);
      } else if (values.write) {
        if (out === src) continue;
        // Through a temporary file, so an interrupted run never leaves half a product.
        const tmp = `${file}.fmt.tmp`;
        writeFileSync(tmp, out);
        renameSync(tmp, file);
      } else process.stdout.write(out);
    }
    return unformatted ? EXIT.failed : EXIT.ok;
  },
});
