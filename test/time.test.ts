// The time-of-day type: `16:00` literals, comparisons, facts read as "HH:MM", and a missing time
// that leaves a decision undetermined only when a rule needs it. One row per case.
import { describe, expect, it } from 'vitest';
import { parseProduct } from '../dsl/index.js';
import { check } from '../engine/pipeline/check.js';
import { compile, decide } from '../engine/pipeline/evaluate/index.js';
import { factsSchema } from '../engine/pipeline/facts.js';

// Cover begins at 16:00 of the start day (seed 004: 「2021年3月25日午後4時 ～」).
const SOURCE = `product time-demo
  revision "1"
  source "demo.txt"

fact policy.start_date: date "保険期間の初日"
fact claim.date: date "損害賠償請求の日"
fact claim.time: time "損害賠償請求の時刻"

cover claim-made "保険期間中の請求"
  cite §1 "x"
  when claim.date >= policy.start_date

condition after-start-hour "初日は午後4時以降"
  cite §1 "x"
  when claim.date = policy.start_date
  require claim.time >= 16:00
`;

function compiled(source: string) {
  const { model, diagnostics } = parseProduct(source, 'time-demo.yk');
  const checked = check(model);
  return { c: compile(checked), diagnostics: [...diagnostics, ...checked.diagnostics] };
}

describe('time literals', () => {
  it.each([
    ['16:00', []],
    ['00:00', []],
    ['23:59', []],
    ['24:00', ['model/invalid-time']],
    ['9:00', ['model/invalid-time']],
    ['12:60', ['model/invalid-time']],
  ])('%s', (lit, codes) => {
    const { diagnostics } = compiled(SOURCE.replace('16:00', lit));
    expect(diagnostics.map((d) => d.code)).toEqual(codes);
  });

  it.each([
    ['claim.time > 1日', 'check/type-mismatch'],
    ['claim.time >= 2021-03-25', 'check/type-mismatch'],
    ['claim.time + 1日 >= 16:00', 'check/type-mismatch'],
  ])('%s is a type error', (expr, code) => {
    const { diagnostics } = compiled(SOURCE.replace('claim.time >= 16:00', expr));
    expect(diagnostics.map((d) => d.code)).toContain(code);
  });
});

describe('time cells in tables', () => {
  const table = (rows: string) => `${SOURCE}
table hour_band "時間帯"
  cite §1 "x"
  given claim.time
  returns late: boolean
${rows}
`;
  it.each([
    [['< 16:00 => false', '>= 16:00 => true'], []],
    [['00:00 .. 15:59 => false', '>= 16:00 => true'], []],
    [['< 16:00 => false', '> 16:00 => true'], ['check/table-gap']],
    [['<= 16:00 => false', '>= 16:00 => true'], ['check/table-overlap']],
  ])('%j', (rows, codes) => {
    const source = table(rows.map((r) => `  row ${r}\n    cite §1 "x"`).join('\n'));
    expect(compiled(source).diagnostics.map((d) => d.code)).toEqual(codes);
  });
});

describe('time comparisons', () => {
  const { c } = compiled(SOURCE);
  const day = (date: string, time?: string) => ({
    policy: { start_date: '2021-03-25' },
    claim: { date, ...(time === undefined ? {} : { time }) },
  });
  it.each([
    ['the first day at 16:00', day('2021-03-25', '16:00'), 'covered', []],
    ['the first day at 23:59', day('2021-03-25', '23:59'), 'covered', []],
    ['the first day at 15:59', day('2021-03-25', '15:59'), 'refused', []],
    ['the first day at 09:00', day('2021-03-25', '09:00'), 'refused', []],
    ['the first day, no time given', day('2021-03-25'), 'undetermined', ['claim.time']],
    ['a later day, no time given', day('2021-03-26'), 'covered', []],
    ['a later day at 08:00', day('2021-03-26', '08:00'), 'covered', []],
  ])('%s', (_name, facts, outcome, missing) => {
    const d = decide(c, facts);
    expect([d.outcome, d.missing]).toEqual([outcome, missing]);
  });
});

describe('time facts', () => {
  const { c } = compiled(SOURCE);
  it.each([
    ['16:00', []],
    ['4:00', ['/claim/time']],
    ['16:00:00', ['/claim/time']],
    ['24:00', ['/claim/time']],
    ['午後4時', ['/claim/time']],
    [1600, ['/claim/time']],
  ])('%j', (time, pointers) => {
    const d = decide(c, { policy: { start_date: '2021-03-25' }, claim: { date: '2021-03-25', time } });
    expect(d.errors.map((e) => e.pointer)).toEqual(pointers);
    if (pointers.length) expect(d.errors[0]!.expected).toContain('HH:MM');
  });

  it('the facts schema names the pattern', () => {
    const schema = factsSchema(c.product) as { properties: { claim: { properties: { time: unknown } } } };
    expect(schema.properties.claim.properties.time).toEqual({
      type: 'string',
      pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
      description: '損害賠償請求の時刻',
    });
  });
});
