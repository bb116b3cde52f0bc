// Generated product programs: facts, formulas, defines, tables, rules and amounts over one
// another's names, mostly well typed (so that many check clean and go on to compile and
// decide), sometimes not, sometimes cyclic; with facts to decide them by. A program is drawn from
// a list of choices: fast-check shrinks that list, and a shorter list of smaller choices draws a
// smaller program, so a failure shrinks to a small one. Checked without the seed folder (quotes
// are not looked up), so a generated program can check clean.
import fc from 'fast-check';

export type Shape = number[];
export const shapeArb: fc.Arbitrary<Shape> = fc.array(fc.nat(999), { maxLength: 160 });

type Ty = 'boolean' | 'number' | 'rate' | 'money' | 'date' | 'duration' | 'enum' | 'text';
const FACT_TYPES: [Ty, string][] = [
  ['boolean', 'boolean'],
  ['number', 'integer'],
  ['number', 'decimal'],
  ['rate', 'rate'],
  ['money', 'money JPY'],
  ['date', 'date'],
  ['duration', 'duration days'],
  ['enum', 'enum(x, y, z)'],
  ['text', 'text'],
  ['money', 'money JPY signed'],
];
const LITERALS: Record<Ty, string[]> = {
  boolean: ['true', 'false'],
  number: ['0', '1', '2', '12', '2.5', '1/3', '1,000'],
  rate: ['90%', '50%', '0.03%', '100%', '1/2'],
  money: ['0円', '100円', '10万円', '1億円', '5,000円', '1億7,370万円'],
  date: ['2024-01-31', '2024-02-29', '2025-12-31'],
  duration: ['0 days', '45 days', '180日'],
  enum: ['x', 'y', 'z'],
  text: ['"a"', '""'],
};
// What a mistake looks like: wrong-typed or misspelt operands, stray operators.
const JUNK = [
  '100円',
  'x',
  '1/0',
  'nope',
  'a.f0',
  '2024-13-01',
  '"t"',
  '-',
  'item.amount',
  'g0',
  't0.r',
  'round(1)',
  'sum(1)',
];

class Draw {
  private i = 0;
  constructor(private readonly choices: number[]) {}
  // A choice in [0, n): the next number of the list, or 0 (the simplest) when it runs out.
  next(n: number): number {
    return n <= 1 ? 0 : (this.choices[this.i++] ?? 0) % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next(xs.length)]!;
  }
}

interface Named {
  name: string;
  ty: Ty;
}

export interface Program {
  text: string;
  facts: unknown[];
}

export function render(choices: Shape): Program {
  const d = new Draw(choices);
  const facts: (Named & { decl: string })[] = [];
  const nFacts = 2 + d.next(7);
  for (let i = 0; i < nFacts; i++) {
    const [ty, decl] = FACT_TYPES[(i + d.next(FACT_TYPES.length)) % FACT_TYPES.length]!;
    facts.push({ name: `a.f${i}`, ty, decl });
  }
  const formulas: Named[] = [];
  const tables: Named[] = [];
  const out = ['product gen', '  revision "1"', '  source "demo.txt"', ''];
  for (const f of facts)
    out.push(`fact ${f.name}: ${f.decl} "${f.name}"${d.next(6) === 0 ? ` default ${d.pick(LITERALS[f.ty])}` : ''}`);
  out.push('fact a.items: list of { amount: money JPY, kind: enum(x, y) } "items"', '');

  // An expression of type `ty` over the names declared so far (item fields when in a loop).
  const expr = (ty: Ty, depth: number, loop: boolean): string => {
    if (d.next(40) === 0) return d.pick(JUNK);
    const names = [...facts, ...formulas, ...tables].filter((n) => n.ty === ty).map((n) => n.name);
    if (loop && ty === 'money') names.push('item.amount');
    if (loop && ty === 'enum') names.push('item.kind');
    if (depth <= 0 || d.next(3) === 0) return names.length && d.next(3) > 0 ? d.pick(names) : d.pick(LITERALS[ty]);
    const sub = (t: Ty) => expr(t, depth - 1, loop);
    const cond = () => expr('boolean', depth - 1, loop);
    switch (ty) {
      case 'boolean': {
        const t = d.pick(['number', 'money', 'date', 'enum', 'boolean', 'rate'] as Ty[]);
        switch (d.next(6)) {
          case 0:
            return `${sub('boolean')} and ${sub('boolean')}`;
          case 1:
            return `${sub('boolean')} or ${sub('boolean')}`;
          case 2:
            return `not ${sub('boolean')}`;
          case 3:
            return t === 'enum' ? `${sub('enum')} in (x, y)` : `${sub(t)} = ${sub(t)}`;
          default:
            return `${sub(t)} ${d.pick(t === 'enum' || t === 'boolean' ? ['=', '≠'] : ['<', '≤', '>', '≥', '='])} ${sub(t)}`;
        }
      }
      case 'number':
        return d.pick([
          () => `${sub('number')} + ${sub('number')}`,
          () => `${sub('number')} × ${sub('number')}`,
          () => `${sub('number')} ÷ 4`,
          () => `days_between(${sub('date')}, ${sub('date')})`,
          () => 'count(a.items)',
          () => `round(${sub('number')}, half-even, 1)`,
          () => `max(${sub('number')}, ${sub('number')})`,
          () => `(${sub('number')})`,
          () => `${sub('money')} ÷ 100円`,
          () => `if ${cond()} then ${sub('number')} else ${sub('number')}`,
          () => `weekday(${sub('date')})`,
        ])();
      case 'rate':
        return d.pick([
          () => `${sub('rate')} × ${sub('rate')}`,
          () => `min(${sub('rate')}, 100%)`,
          () => sub('number'),
        ])();
      case 'money':
        return d.pick([
          () => `${sub('money')} + ${sub('money')}`,
          () => `${sub('money')} - ${sub('money')}`,
          () => `${sub('money')} × ${sub('rate')}`,
          () => `${sub('money')} × ${sub('number')}`,
          () => `min(${sub('money')}, ${sub('money')})`,
          () => `abs(${sub('money')})`,
          () => `round(${sub('money')}, ${d.pick(['down', 'up', 'half-up'])}, 1,000円)`,
          () => 'sum(a.items.amount)',
          () => `if ${cond()} then ${sub('money')} else ${sub('money')}`,
          () => `(${sub('money')})`,
        ])();
      case 'date':
        return d.pick([
          () => `${sub('date')} + ${sub('duration')}`,
          () => `${sub('date')} - ${sub('duration')}`,
          () => `month_end(${sub('date')})`,
          () => `add_months(${sub('date')}, ${d.pick(['1', '12', '-3'])})`,
          () => `${sub('date')} + 3 months`,
        ])();
      default:
        return names.length ? d.pick(names) : d.pick(LITERALS[ty]);
    }
  };

  const cite = '  cite §1 "q"';
  const nFormulas = d.next(5);
  for (let i = 0; i < nFormulas; i++) {
    const ty = d.pick(['money', 'number', 'boolean', 'date', 'rate'] as Ty[]);
    const kind = ty === 'boolean' && d.next(2) === 0 ? 'define' : 'formula';
    const name = `g${i}`;
    // Now and then a formula uses itself or a later one: a cycle, or an unknown name.
    if (d.next(12) === 0) formulas.push({ name, ty });
    out.push(`${kind} ${name} "g${i}"`, cite, `  = ${expr(ty, 3, false)}`, '');
    if (!formulas.some((f) => f.name === name)) formulas.push({ name, ty });
  }
  const nTables = d.next(3);
  for (let i = 0; i < nTables; i++) {
    const inTy = d.pick(['enum', 'number', 'money', 'date', 'boolean'] as Ty[]);
    const outTy = d.pick(['money', 'number', 'boolean', 'rate'] as Ty[]);
    const hit = d.pick(['unique', 'first']);
    out.push(
      `table t${i} "t${i}"`,
      cite,
      `  hit ${hit}`,
      `  given ${expr(inTy, 1, false)}`,
      `  returns r: ${outTy === 'money' ? 'money JPY' : outTy === 'number' ? 'decimal' : outTy}`,
    );
    const lits = LITERALS[inTy];
    const nRows = d.next(5);
    for (let r = 0; r < nRows; r++) {
      const cell = d.pick([
        () => 'any',
        () => d.pick(lits),
        () => (inTy === 'enum' || inTy === 'boolean' ? d.pick(lits) : `<= ${d.pick(lits)}`),
        () => (inTy === 'enum' ? 'x, y' : inTy === 'boolean' ? 'true' : `${lits[0]} .. ${d.pick(lits)}`),
      ])();
      out.push(`  row ${cell} => ${d.pick(LITERALS[outTy])}${d.next(2) === 0 ? `\n    cite §1 "q"` : ''}`);
    }
    if (d.next(3) > 0) out.push(`  else => ${d.pick(LITERALS[outTy])}`);
    out.push('');
    tables.push({ name: `t${i}.r`, ty: outTy });
  }
  const nRules = d.next(6);
  for (let i = 0; i < nRules; i++) {
    const kind = d.pick(['cover', 'exclude', 'eligibility', 'ineligible', 'condition', 'constraint']);
    const loop = kind !== 'eligibility' && kind !== 'constraint' && d.next(3) === 0;
    out.push(`${kind} r${i} "r${i}"`, cite);
    if (loop) out.push('  for each item in a.items');
    out.push(
      `  ${['eligibility', 'condition', 'constraint'].includes(kind) ? 'require' : 'when'} ${expr('boolean', 3, loop)}`,
    );
    if (d.next(4) === 0) out.push(`  unless ${expr('boolean', 2, loop)}`);
    out.push('');
  }
  const nAmounts = d.next(3);
  for (let i = 0; i < nAmounts; i++) {
    const loop = d.next(2) === 0;
    out.push(`amount m${i} "m${i}": money JPY`, cite, '  payable');
    if (loop) out.push('  for each item in a.items');
    out.push(`  start ${expr('money', 2, loop)}`);
    const nSteps = d.next(5);
    let totalled = false;
    for (let s = 0; s < nSteps; s++) {
      const inLoop = loop && !totalled;
      const step = d.pick([
        'add',
        'subtract',
        'deductible',
        'coinsurance',
        'multiply',
        'limit',
        'floor',
        'round',
        'total',
        'limit shared',
      ]);
      if (step === 'total') {
        if (loop && !totalled) out.push('  total');
        totalled = true;
      } else if (step === 'coinsurance' || step === 'multiply') out.push(`  ${step} ${expr('rate', 1, inLoop)}`);
      else if (step === 'round') out.push(`  round ${d.pick(['down', 'half-even'])} 1,000円`);
      else if (step === 'limit shared') out.push(`  limit ${expr('money', 1, inLoop)}${inLoop ? ' shared' : ''}`);
      else
        out.push(
          `  ${step} ${expr('money', 1, inLoop)}${d.next(4) === 0 ? ` when ${expr('boolean', 1, inLoop)}` : ''}`,
        );
    }
    out.push('');
  }
  const values = () => factsFor(facts, d);
  return { text: out.join('\n'), facts: [values(), values(), {}] };
}

const VALUES: Record<string, unknown[]> = {
  boolean: [true, false],
  integer: [0, 3, 1000],
  decimal: ['0', '2.5', '1,000'],
  rate: ['0.5', '90%', '1'],
  'money JPY': ['0', '100000', '1億円'],
  'money JPY signed': ['-5000', '0', '300'],
  date: ['2024-01-31', '2024-02-29', '2030-12-31'],
  'duration days': [0, 45, '10 days'],
  'enum(x, y, z)': ['x', 'y', 'z'],
  text: ['a', ''],
};

function factsFor(facts: (Named & { decl: string })[], d: Draw): unknown {
  const a: Record<string, unknown> = {};
  for (const f of facts) {
    const vs = VALUES[f.decl]!;
    const k = d.next(vs.length + 1);
    // Now and then a fact is left out: the decision must then be undetermined, not wrong.
    if (k < vs.length) a[f.name.slice(2)] = vs[k];
  }
  a['items'] = [
    { amount: '300', kind: 'x' },
    { amount: '0', kind: 'y' },
  ];
  return { a };
}
