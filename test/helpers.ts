// Shared by the test files: where things are, and one loaded product per folder.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadProduct, type LoadedProduct } from '../engine/loading/load.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const PRODUCTS = join(ROOT, 'products');

export function productDirs(): string[] {
  if (!existsSync(PRODUCTS)) return [];
  return readdirSync(PRODUCTS).sort().map((d) => join(PRODUCTS, d)).filter((d) => statSync(d).isDirectory());
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
