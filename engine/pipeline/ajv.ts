// Ajv, required on first use: deciding valid facts from a .yk product never needs it, and its ~40
// CommonJS modules are the largest part of a cold `yakkan decide` import after chevrotain.
import { createRequire } from 'node:module';
import type { Ajv, Options } from 'ajv';

let AjvClass: typeof Ajv | undefined;

export function newAjv(opts: Options): Ajv {
  AjvClass ??= (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv;
  return new AjvClass(opts);
}
