// Whether a citation's quote is in the seed it names. Kept apart from engine/loading/sources.ts
// (which finds and reads the seed folder on disk) so that the checker imports nothing of Node's:
// the language service runs it in a browser, with seeds it was handed (language/host.ts).
import { closest } from '../../dsl/diagnostics.js';

export interface SourceFolder {
  dir: string;
  // How diagnostics name the folder (relative to the working directory on the command line).
  shown?: string;
  files: Map<string, string>;
}

export type QuoteResult =
  | { kind: 'found'; offset: number }
  | { kind: 'no-file'; guess?: string }
  | { kind: 'not-found'; near?: string };

// Answers kept per folder (whose texts do not change once read): a product checked again after
// an edit, as the language service does on every keystroke, looks up only the quotes that are
// new. Scanning the seed for each of cyber's ~400 quotes was a third of the checker's time.
const answers = new WeakMap<SourceFolder, Map<string, QuoteResult>>();
const MAX_ANSWERS = 20_000;

export function findQuote(s: SourceFolder, file: string, quote: string): QuoteResult {
  let memo = answers.get(s);
  if (!memo || memo.size > MAX_ANSWERS) answers.set(s, (memo = new Map()));
  const key = `${file}\u0000${quote}`;
  let r = memo.get(key);
  if (!r) memo.set(key, (r = lookup(s, file, quote)));
  return r;
}

function lookup(s: SourceFolder, file: string, quote: string): QuoteResult {
  const text = s.files.get(file);
  if (text === undefined) {
    const guess = closest(file, s.files.keys());
    return guess ? { kind: 'no-file', guess } : { kind: 'no-file' };
  }
  const at = text.indexOf(quote);
  if (at >= 0) return { kind: 'found', offset: at };
  // Point at the longest prefix of the quote that the seed does have, as a hint.
  let lo = 0;
  let hi = quote.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (text.includes(quote.slice(0, mid))) lo = mid;
    else hi = mid - 1;
  }
  if (lo < 4) return { kind: 'not-found' };
  const start = text.indexOf(quote.slice(0, lo));
  const near = text.slice(start, Math.min(text.length, start + Math.min(quote.length + 4, lo + 20))).split('\n')[0];
  return near ? { kind: 'not-found', near } : { kind: 'not-found' };
}
