// Module resolution hook used by chevrotain-bundle.ts.
type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

const bundle = new URL('../../../node_modules/chevrotain/lib/chevrotain.mjs', import.meta.url).href;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'chevrotain') return { url: bundle, shortCircuit: true };
  return next(specifier, context);
}
