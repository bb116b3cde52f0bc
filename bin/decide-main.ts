// `yakkan decide` as one file: the entry bin/bundle.ts builds into dist/bin/bundle/, which
// bin/yakkan.js runs instead of dist/bin/cli.js while that build is current. The same modules,
// bundled: a cold start loads a few files instead of ~60 (module resolution and loading were
// the largest part of a cached decide's own time).
import * as decide from './commands/decide.js';
import { start } from './cli.js';

start({ decide });
