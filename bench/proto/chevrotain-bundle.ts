// Historical prototype, kept because bench/run.ts still times a run with it: it mapped the bare
// specifier 'chevrotain' to the single-file bundle through a resolve hook. The product now does
// this itself (dsl/chevrotain.ts loads lib/chevrotain.mjs beside the package entry), so with or
// without this hook the same bundle is loaded; the hook only adds its own start-up cost.
//   node --import ./dist/bench/proto/chevrotain-bundle.js bin/yakkan.js decide ...
import { register } from 'node:module';

register('./chevrotain-hooks.js', import.meta.url);
