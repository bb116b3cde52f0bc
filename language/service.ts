// The language service: open documents, their latest analysis, and every editor feature over
// it. Positions are UTF-16 offsets into the document's text (what CodeMirror uses and chevrotain
// reports); the language server converts them to LSP's line and character.
//
// A document is analysed when something asks about it, once per text: a burst of keystrokes
// costs one analysis, and hover, completion and highlighting after an edit share it. The seeds
// are read once by the host, not per analysis.
import { formatSource } from '../dsl/format.js';
import { type Analysis, analyse } from './analysis.js';
import { type Completions, complete } from './completion.js';
import { type Fix, type LanguageDiagnostic, editorDiagnostics } from './fixes.js';
import { IncrementalParser } from './incremental.js';
import type { SourceHost } from './host.js';
import { type Hover, hover } from './hover.js';
import { type PrepareRename, type TextEdit, definition, prepareRename, references, rename } from './navigation.js';
import { type OutlineItem, outline } from './outline.js';
import { type SemanticToken, semanticTokens } from './semantic.js';
import type { TextRange } from './cst.js';

interface Doc {
  text: string;
  version: number;
  parser: IncrementalParser;
  analysis?: Analysis;
  diagnostics?: LanguageDiagnostic[];
}

export class LanguageService {
  private readonly docs = new Map<string, Doc>();

  constructor(private readonly host: SourceHost) {}

  // Open or change a document (the whole new text).
  update(uri: string, text: string, version = 0): void {
    const doc = this.docs.get(uri);
    if (doc && doc.text === text) {
      doc.version = version;
      return;
    }
    this.docs.set(uri, { text, version, parser: doc?.parser ?? new IncrementalParser() });
  }

  close(uri: string): void {
    this.docs.delete(uri);
  }

  has(uri: string): boolean {
    return this.docs.has(uri);
  }

  text(uri: string): string | undefined {
    return this.docs.get(uri)?.text;
  }

  analysis(uri: string): Analysis {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    doc.analysis ??= analyse(uri, doc.text, this.host.seeds(), doc.parser);
    return doc.analysis;
  }

  diagnostics(uri: string): LanguageDiagnostic[] {
    const doc = this.docs.get(uri);
    if (!doc) return [];
    const a = this.analysis(uri);
    doc.diagnostics ??= editorDiagnostics(a);
    return doc.diagnostics;
  }

  hover(uri: string, offset: number): Hover | undefined {
    return hover(this.analysis(uri), offset);
  }

  complete(uri: string, offset: number): Completions {
    return complete(this.analysis(uri), offset);
  }

  definition(uri: string, offset: number): TextRange[] {
    return definition(this.analysis(uri), offset);
  }

  references(uri: string, offset: number, includeDeclaration = true): TextRange[] {
    return references(this.analysis(uri), offset, includeDeclaration);
  }

  prepareRename(uri: string, offset: number): PrepareRename {
    return prepareRename(this.analysis(uri), offset);
  }

  rename(uri: string, offset: number, newName: string): { edits: TextEdit[] } | { error: string } {
    return rename(this.analysis(uri), offset, newName);
  }

  outline(uri: string): OutlineItem[] {
    return outline(this.analysis(uri));
  }

  semanticTokens(uri: string): SemanticToken[] {
    return semanticTokens(this.analysis(uri));
  }

  // The quick fixes of the diagnostics that touch a range.
  fixes(uri: string, range: TextRange): Fix[] {
    return this.diagnostics(uri)
      .filter((d) => d.from <= range.to && d.to >= range.from)
      .flatMap((d) => d.fixes);
  }

  // The formatter (dsl/format.ts) as one edit covering only the lines it changes.
  format(uri: string): TextEdit[] {
    const text = this.docs.get(uri)?.text;
    if (text === undefined) return [];
    return minimalEdit(text, formatSource(text));
  }
}

export function minimalEdit(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end))
    end++;
  return [{ from: start, to: before.length - end, insert: after.slice(start, after.length - end) }];
}
