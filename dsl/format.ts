// The formatter: one layout for every product file, so diffs show content, not whitespace.
// It works line by line on the token stream's view of the file: declarations at column 0,
// their clauses indented by 2, citations under a row or a step by 4. Comments, blank-line
// grouping and the spacing inside a line (aligned tables) are kept.
import { CITING_CLAUSE_WORDS, CLAUSE_WORDS, DECLARATION_WORDS } from './keywords.js';

const DECLARATION = new RegExp(`^(${DECLARATION_WORDS.join('|')})\\s+[^\\s:]`);
const CLAUSE = new RegExp(`^(${[...CLAUSE_WORDS, '='].join('|')})(\\s|$)`);
const NESTED_OWNER = new RegExp(`^(${CITING_CLAUSE_WORDS.join('|')})\\b`);

export function formatSource(src: string): string {
  const out: string[] = [];
  let nested = false;
  // Whether the line that opened `nested` is an amount step, whose `when` is its own (dsl/parser.ts stepTail).
  let step = false;
  let blank = 0;
  let inDecl = false;
  for (const raw of src.replace(/\r\n/g, '\n').split('\n')) {
    const line = raw.trim();
    if (line === '') {
      blank++;
      continue;
    }
    const decl = DECLARATION.test(line);
    if (out.length && blank > 0) out.push('');
    blank = 0;
    if (line.startsWith('#')) {
      out.push((inDecl && !decl && raw.startsWith(' ') ? '  ' : '') + line);
      continue;
    }
    if (decl) {
      out.push(line);
      inDecl = true;
      nested = false;
    } else if (CLAUSE.test(line)) {
      // A row's or a step's own citations sit under it, and so does a step's `when`. A `note`
      // belongs to the declaration in the grammar, so it stays at the declaration's clauses.
      const own = nested && (/^cite(\s|$)/.test(line) || (step && /^when(\s|$)/.test(line)));
      out.push((own ? '    ' : '  ') + line);
      if (!own) {
        nested = NESTED_OWNER.test(line);
        step = nested && !/^row\b/.test(line);
      }
    } else {
      // A continuation line keeps deeper indentation the author gave it (the nesting of a long
      // `when` reads from it), and is at least under its clause.
      out.push(' '.repeat(Math.max(4, raw.length - raw.trimStart().length)) + line);
    }
  }
  return out.join('\n') + '\n';
}
