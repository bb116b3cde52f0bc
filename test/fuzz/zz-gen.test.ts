import { it } from 'vitest';
import fc from 'fast-check';
import { render, shapeArb } from './generate.js';
import { parseProduct } from '../../dsl/index.js';
import { check } from '../../engine/pipeline/check.js';
it('x', () => {
  const counts = new Map<string, number>();
  let clean = 0;
  for (const s of fc.sample(shapeArb, { seed: 3, numRuns: 300 })) {
    const p = render(s);
    const { model, diagnostics } = parseProduct(p.text, 'g.yk');
    const ds = [...diagnostics, ...check(model).diagnostics].filter((d) => d.severity === 'error');
    if (!ds.length) clean++;
    for (const d of ds) counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
  }
  console.log(clean, [...counts].sort((a, b) => b[1] - a[1]));
  const p = render(fc.sample(shapeArb, { seed: 9, numRuns: 1 })[0]!);
  console.log(p.text);
  const { model, diagnostics } = parseProduct(p.text, 'g.yk');
  console.log([...diagnostics, ...check(model).diagnostics].map(d => d.code + ' ' + d.message).join('\n'));
});
