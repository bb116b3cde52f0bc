// yakkan compile <product>: the checked product as JSON (schemas/product.schema.json).
import { canonicalJson } from '../../engine/pipeline/json.js';
import { defineCommand, EXIT } from '../args.js';
import { engineFor } from '../preload.js';

export const command = defineCommand({
  name: 'compile',
  args: '<product>',
  summary: 'print the compiled product JSON (schemas/product.schema.json)',
  description: `Prints the checked model of the product's newest revision as JSON, in the form of
schemas/product.schema.json: a product written as JSON loads from it unchanged.`,
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ positionals }) {
    const { loadClean, newestRevision } = await engineFor(positionals[0]!);
    process.stdout.write(`${canonicalJson(newestRevision(loadClean(positionals[0]!)).checked.product)}\n`);
    return EXIT.ok;
  },
});
