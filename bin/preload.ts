// Commands on one product (decide, explain, compile, schema) import the engine through here. A
// product whose files are all in the compiled-model cache is never parsed: its entries are read
// first, and dsl/chevrotain.ts is told not to load chevrotain (~25 ms of a ~200 ms cold start).
// That only works before anything imports the DSL, so these commands import the engine lazily.
export async function engineFor(productPath: string): Promise<typeof import('./product.js')> {
  try {
    const { preloadProduct } = await import('../engine/loading/product-cache.js');
    if (preloadProduct(productPath)) (globalThis as Record<symbol, unknown>)[Symbol.for('yakkan.deferDsl')] = true;
  } catch {
    // Loaded from the DSL as usual.
  }
  return import('./product.js');
}
