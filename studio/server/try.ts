// Trying a claim in the studio: decided by the product as the server serves it, or, when the
// editor holds unsaved text of one of its files and that text checks, by the product with that
// file as edited (a product manager tries what they are changing, before saving it). Try-outs are
// not logged: nobody acted on them, and the decision log is the record of decisions acted on.
import { basename } from 'node:path';
import {
  checkText,
  compile,
  decideIn,
  type Decision,
  explain,
  hasErrors,
  type LoadedProduct,
  type Revision,
} from '../../engine/index.js';
import { fail } from '../../server/problem.js';
import { expectOf } from './cases.js';

export interface Draft {
  file: string;
  source: string;
}

export interface Tried {
  decision: Decision;
  explanation: { ja: string; en: string };
  // What "Save as case" would write as the expectation.
  expect: ReturnType<typeof expectOf>;
  used: 'draft' | 'saved';
  // Why the saved version was used although a draft was sent; which revision the facts chose.
  note?: string;
  selection: string;
}

// The last few drafts checked and compiled: a form submitted several times against one edit
// compiles it once.
const drafts = new Map<string, Revision>();
const MAX_DRAFTS = 4;

function draftRevision(base: Revision, source: string): Revision | string {
  const key = `${base.file}\u0000${source}`;
  const hit = drafts.get(key);
  if (hit) return hit;
  const { checked, diagnostics } = checkText(source, base.file);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (hasErrors(diagnostics))
    return `the editor's text of ${basename(base.file)} has ${errors} error${errors === 1 ? '' : 's'}`;
  const rev: Revision = { file: base.file, source, checked, compiled: compile(checked) };
  if (drafts.size >= MAX_DRAFTS) drafts.delete(drafts.keys().next().value!);
  drafts.set(key, rev);
  return rev;
}

export function withDraft(product: LoadedProduct, draft: Draft | undefined): { product: LoadedProduct; note?: string } {
  if (!draft) return { product };
  const i = product.revisions.findIndex((r) => basename(r.file) === draft.file);
  if (i < 0) fail('invalid-request', 400, `${draft.file} is not a file of this product`);
  const base = product.revisions[i]!;
  if (base.source === draft.source) return { product };
  const rev = draftRevision(base, draft.source);
  if (typeof rev === 'string') return { product, note: `${rev}: decided with the saved version` };
  const revisions = product.revisions.map((r, j) => (j === i ? rev : r));
  revisions.sort((a, b) => (a.checked.product.inForce.from ?? '').localeCompare(b.checked.product.inForce.from ?? ''));
  return { product: { ...product, revisions } };
}

export function tryClaim(
  saved: LoadedProduct,
  facts: unknown,
  asOf: string | undefined,
  draft: Draft | undefined,
): Tried {
  const { product, note } = withDraft(saved, draft);
  const { decision, selection } = decideIn(product, facts, asOf ? { asOf } : {});
  if (!decision) fail('no-revision', 422, `cannot decide: ${selection.why}`);
  const labels = selection.rev?.checked.product;
  const explanation = {
    ja: explain(decision, { lang: 'ja', ...(labels ? { product: labels } : {}) }),
    en: explain(decision, { lang: 'en', ...(labels ? { product: labels } : {}) }),
  };
  return {
    decision,
    explanation,
    expect: expectOf(decision, saved.revisions.length > 1),
    used: product === saved ? 'saved' : 'draft',
    ...(note ? { note } : {}),
    selection: selection.why,
  };
}
