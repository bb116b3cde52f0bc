// Prototype for the lead: load chevrotain's single-file bundle instead of its package entry,
// which pulls in ~650 lodash-es modules one file at a time. Measured in the bench as
//   node --import ./dist/bench/proto/chevrotain-bundle.js bin/yakkan.js decide ...
// The product change would be one import path (or a package.json "imports" alias), since
// chevrotain's "exports" does not expose lib/chevrotain.mjs to a bare specifier.
import { register } from 'node:module';

register('./chevrotain-hooks.js', import.meta.url);
