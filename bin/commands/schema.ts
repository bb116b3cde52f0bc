// yakkan schema <product>: the JSON Schema of the product's facts.
import { defineCommand, EXIT } from '../args.js';
import { engineFor } from '../preload.js';

export const command = defineCommand({
  name: 'schema',
  args: '<product>',
  summary: "print the JSON Schema of the product's facts",
  description: `Prints the JSON Schema that facts for the product's newest revision must satisfy:
the fact declarations as types, with the allowed values of every enum.`,
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ positionals }) {
    const { loadClean, newestRevision } = await engineFor(positionals[0]!);
    const { factsSchema } = await import('../../engine/pipeline/facts.js');
    const product = newestRevision(loadClean(positionals[0]!)).checked.product;
    process.stdout.write(`${JSON.stringify(factsSchema(product), null, 2)}\n`);
    return EXIT.ok;
  },
});
