// Shared by the test files: where things are, and one loaded product per folder.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadProduct, type LoadedProduct } from '../engine/loading/load.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const PRODUCTS = join(ROOT, 'products');

export function productDirs(): string[] {
  if (!existsSync(PRODUCTS)) return [];
  return readdirSync(PRODUCTS)
    .sort()
    .map((d) => join(PRODUCTS, d))
    .filter((d) => statSync(d).isDirectory());
}

// Every product's example facts files (products/<id>/examples/*.yaml), in a stable order.
export function exampleFiles(): { dir: string; file: string }[] {
  return productDirs().flatMap((dir) => {
    const ex = join(dir, 'examples');
    if (!existsSync(ex)) return [];
    return readdirSync(ex)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => ({ dir, file: join(ex, f) }));
  });
}

const loaded = new Map<string, LoadedProduct>();
export function product(dir: string): LoadedProduct {
  let p = loaded.get(dir);
  if (!p) {
    p = loadProduct(dir);
    loaded.set(dir, p);
  }
  return p;
}
