// dsl/chevrotain.ts for a browser bundle (language/bundle.ts puts it in that module's place).
// The Node module finds chevrotain's single-file build on disk to spare a cold start; a bundler
// has already put chevrotain in the bundle, and nothing is ever deferred in a browser.
import * as chevrotainModule from 'chevrotain';

export const DEFER_DSL = Symbol.for('yakkan.deferDsl');
export const chevrotainDeferred = false;
export const chevrotain: typeof import('chevrotain') = chevrotainModule;
