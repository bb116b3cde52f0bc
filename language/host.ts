// What the language service needs from the world outside the text it is given: the pamphlet
// seeds that citations quote. The language server reads them from disk (language/node-host.ts),
// the browser studio from the HTTP API; the service itself never touches a file.
import type { SourceFolder } from '../engine/pipeline/quotes.js';

export type { SourceFolder };

export interface SourceHost {
  // The seed folder, or undefined when none is configured: quotes then go unchecked, as with
  // `yakkan check`. Asked on every analysis, so a host should keep what it has read.
  seeds(): SourceFolder | undefined;
}

// Seeds handed over as text (the browser, tests); without any, quotes are not checked.
export function memoryHost(files?: Record<string, string>, dir = 'seeds'): SourceHost {
  const folder: SourceFolder | undefined = files
    ? { dir, shown: dir, files: new Map(Object.entries(files)) }
    : undefined;
  return { seeds: () => folder };
}
