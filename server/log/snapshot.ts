// A product as the decision log keeps it: the text of every file of the product (all its
// revisions, since which one decides depends on all of them) under one content hash. A logged
// decision names the hash; the log holds each snapshot once, so an audit replays a decision with
// the exact files that made it, whatever the product folder holds today.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadProduct, type LoadedProduct } from '../../engine/loading/load.js';

export interface SnapshotFile {
  name: string;
  text: string;
}

export interface ProductSnapshot {
  hash: string;
  product: string;
  files: SnapshotFile[];
}

// Names and texts, in name order: a file renamed is a different product, a file touched without
// a change is the same one.
export function productHash(files: SnapshotFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    h.update(f.name).update('\0').update(f.text).update('\0');
  }
  return h.digest('hex');
}

export function snapshotOf(p: LoadedProduct): ProductSnapshot {
  const files = p.revisions
    .map((r) => ({ name: basename(r.file), text: r.source }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const product = p.revisions[p.revisions.length - 1]?.checked.product.id ?? '';
  return { hash: productHash(files), product, files };
}

// The snapshot's files written to a fresh folder and loaded from there, parsed and checked from
// source (not from the compiled-model cache): a replay trusts nothing but the logged text.
export function loadSnapshot(s: ProductSnapshot): LoadedProduct {
  const dir = mkdtempSync(join(tmpdir(), 'yakkan-snapshot-'));
  try {
    for (const f of s.files) writeFileSync(join(dir, basename(f.name)), f.text);
    return loadProduct(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
