// The products a server decides with, and their reload. Each product is held as one immutable
// entry (every revision, checked and compiled, with its snapshot for the log); a change to its
// files builds a new entry beside the old one and swaps it in whole, so a request that took an
// entry decides with that revision set to its end, never with half a reload. A product whose new
// files do not check keeps serving its last good entry, and says why (`problem`).
import { watch, type FSWatcher, existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadProduct, type LoadedProduct } from '../engine/loading/load.js';
import { hasErrors, renderDiagnostics, type Diagnostic } from '../dsl/diagnostics.js';
import { snapshotOf, type ProductSnapshot } from './log/snapshot.js';

export interface ProductEntry {
  id: string;
  // The folder or file the server was given.
  path: string;
  // The last version that checked; undefined only when it never did.
  good?: { product: LoadedProduct; snapshot: ProductSnapshot; loadedAt: string };
  // Why the files as they are now are not served.
  problem?: { at: string; hash: string; diagnostics: Diagnostic[]; text: string };
}

export interface ReloadEvent {
  id: string;
  path: string;
  ok: boolean;
  hash: string;
  message: string;
}

export class ProductSet {
  private byId = new Map<string, ProductEntry>();
  private readonly watchers: FSWatcher[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private listeners: ((e: ReloadEvent) => void)[] = [];

  // Loads every product. One that does not check at start is listed, unavailable, with its
  // diagnostics, and serves as soon as an edit makes it check: one broken product does not keep
  // the others from being served, nor the studio from opening it to fix it.
  constructor(readonly paths: string[]) {
    for (const path of paths) {
      const entry = build(path, undefined);
      const other = this.byId.get(entry.id);
      if (other) throw new StartError(path, `product ${entry.id} is also served from ${other.path}`);
      this.byId.set(entry.id, entry);
    }
  }

  // The products that have never checked since the start.
  unavailable(): ProductEntry[] {
    return this.all().filter((e) => !e.good);
  }

  get(id: string): ProductEntry | undefined {
    return this.byId.get(id);
  }

  all(): ProductEntry[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  onReload(f: (e: ReloadEvent) => void): void {
    this.listeners.push(f);
  }

  // Loads the product at `path` again and swaps the result in (or records why not).
  reload(path: string): ReloadEvent {
    const old = [...this.byId.values()].find((e) => e.path === path);
    const entry = build(path, old);
    let event: ReloadEvent;
    if (old && entry.id !== old.id) {
      // A renamed product would change the URLs clients use: keep the old one and say so.
      const text =
        `the files now define product ${entry.id}, not ${old.id}: ` + 'restart the server to serve it under the new id';
      const problem = { at: new Date().toISOString(), hash: entry.good?.snapshot.hash ?? '', diagnostics: [], text };
      this.swap({ ...old, problem });
      event = { id: old.id, path, ok: false, hash: problem.hash, message: text };
    } else {
      this.swap(entry);
      event = entry.problem
        ? { id: entry.id, path, ok: false, hash: entry.problem.hash, message: entry.problem.text }
        : { id: entry.id, path, ok: true, hash: entry.good!.snapshot.hash, message: 'reloaded' };
    }
    for (const l of this.listeners) l(event);
    return event;
  }

  reloadAll(): ReloadEvent[] {
    return this.paths.map((p) => this.reload(p));
  }

  // Reload on change, a little after the last change event: an editor's save is several events.
  watch(debounceMs = 100): void {
    for (const path of this.paths) {
      const isFile = existsSync(path) && statSync(path).isFile();
      // Watch the folder even for a one-file product: editors save by writing a new file and
      // renaming it over the old one, which a watch on the file itself would miss.
      const dir = isFile ? dirname(path) : path;
      const w = watch(dir, (_event, name) => {
        if (isFile && name && name !== basename(path)) return;
        if (name && !/\.(yk|json)$/.test(name)) return;
        clearTimeout(this.timers.get(path));
        this.timers.set(
          path,
          setTimeout(() => {
            this.timers.delete(path);
            this.reload(path);
          }, debounceMs),
        );
      });
      w.on('error', () => {});
      this.watchers.push(w);
    }
  }

  close(): void {
    for (const w of this.watchers.splice(0)) w.close();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private swap(entry: ProductEntry): void {
    const next = new Map(this.byId);
    next.set(entry.id, entry);
    this.byId = next;
  }
}

export class StartError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

function build(path: string, old: ProductEntry | undefined): ProductEntry {
  let product: LoadedProduct;
  try {
    product = loadProduct(path, { diskCache: true });
  } catch (e) {
    // A file removed between listing and reading, say: the next change event tries again.
    const problem = { at: new Date().toISOString(), hash: '', diagnostics: [], text: (e as Error).message };
    return { id: old?.id ?? basename(path), path, ...(old?.good ? { good: old.good } : {}), problem };
  }
  const snapshot = snapshotOf(product);
  const id = snapshot.product || old?.id || basename(path);
  if (hasErrors(product.diagnostics) || product.revisions.every((r) => !r.compiled)) {
    const text = renderDiagnostics(product.diagnostics, product.sources);
    const problem = { at: new Date().toISOString(), hash: snapshot.hash, diagnostics: product.diagnostics, text };
    return { id: old?.id ?? id, path, ...(old?.good ? { good: old.good } : {}), problem };
  }
  return { id, path, good: { product, snapshot, loadedAt: new Date().toISOString() } };
}
