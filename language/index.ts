// The language service shared by the language server (bin/commands/lsp.ts) and the browser
// studio: diagnostics, hover, completion, definition, references, rename, outline, formatting,
// semantic highlighting and quick fixes for `.yk` product files, over the real tokenizer, parser
// and checker. Nothing here imports Node or the DOM (test/language-bundle.test.ts bundles it for
// the browser); the seeds come through a SourceHost (host.ts; node-host.ts is the Node one).
export { LanguageService, minimalEdit } from './service.js';
export { type SourceHost, type SourceFolder, memoryHost } from './host.js';
export { type Analysis, LineIndex, analyse } from './analysis.js';
export type { TextRange } from './cst.js';
export type { Completions, CompletionItem, CompletionKind } from './completion.js';
export type { Fix, LanguageDiagnostic } from './fixes.js';
export type { Hover } from './hover.js';
export type { PrepareRename, TextEdit } from './navigation.js';
export type { OutlineItem } from './outline.js';
export { type SemanticToken, type TokenTypeName, TOKEN_TYPES, TOKEN_MODIFIERS } from './semantic.js';
export type { SymbolKind, YkSymbol } from './symbols.js';
export { KEYWORDS } from './keywords.js';
