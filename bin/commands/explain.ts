// yakkan explain <product> <facts|->: the decision for people, quoting the pamphlet.
import { asOfOption, defineCommand } from '../args.js';
import { engineFor } from '../preload.js';

export const command = defineCommand({
  name: 'explain',
  args: '<product> <facts|->',
  summary: 'explain the decision for people, with the clauses it quotes',
  description: `Decides the facts (a YAML or JSON file, a case file, or - for standard input) and
explains the decision: the outcome, the rules that decided it with the clause each quotes, the
facts each looked at (actual vs required), the table rows used, the arithmetic of every amount,
and the facts still missing. Exits 1 when the facts are invalid (outcome \`error\`).
\`yakkan decide\` prints the same decision as JSON.`,
  options: {
    lang: { type: 'string', value: 'ja|en', choices: ['ja', 'en'], default: 'ja', help: 'language' },
    all: { type: 'boolean', help: 'every rule, also those that did not fire' },
    'as-of': asOfOption,
  },
  positionals: { min: 2, max: 2 },
  async run({ values, positionals }) {
    const [product, facts] = positionals as [string, string];
    const { decideFile, decisionExit, loadClean, newestRevision } = await engineFor(product);
    const { explain } = await import('../../engine/pipeline/explain.js');
    const asOf = values['as-of'];
    const d = await decideFile(product, facts, asOf ? { asOf } : {});
    // The revision that decided lends its labels (loaded already: this is the in-process copy).
    const loaded = loadClean(product);
    const rev =
      loaded.revisions.find((r) => r.checked.product.revision === d.product.revision) ?? newestRevision(loaded);
    process.stdout.write(explain(d, { lang: values.lang, all: values.all, product: rev.checked.product }));
    return decisionExit(d);
  },
});
