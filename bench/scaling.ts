// Generated products for the scaling runs, written as DSL text (so they go through the same
// parser, checker and compiler as a real product) plus a matching facts corpus.
import { rng, type Rng } from './corpus.js';

// Every generated rule needs a citation whose quote the checker finds in the seed.
const CITE = 'cite §5 "×: てん補しません。"';
const REGIONS = Array.from({ length: 20 }, (_, i) => `r${i}`);
const KINDS = Array.from({ length: 10 }, (_, i) => `k${i}`);

const yen = (n: number) => `${n.toLocaleString('en-US')}円`;

function header(id: string, label: string): string {
  return `product ${id}
  name en "${label}"
  revision "bench"
  currency JPY
  source "001_e21b9039d1274645.txt"

fact c.region: enum(${REGIONS.join(', ')}) "地域"
fact c.kind: enum(${KINDS.join(', ')}) "種類"
fact c.amount: money JPY "金額"
fact c.days: integer "日数"
fact c.limit: money JPY "上限"
${Array.from({ length: 10 }, (_, i) => `fact c.flag${i}: boolean "flag ${i}" default false`).join('\n')}
`;
}

function leaf(r: Rng): string {
  switch (r.int(0, 4)) {
    case 0:
      return `c.region = ${r.pick(REGIONS)}`;
    case 1:
      return `c.kind in (${[r.pick(KINDS), r.pick(KINDS)].filter((x, i, a) => a.indexOf(x) === i).join(', ')})`;
    case 2:
      return `c.amount ${r.pick(['<=', '>', '>='])} ${yen(r.int(1, 999) * 100_000)}`;
    case 3:
      return `c.days ${r.pick(['<', '>='])} ${r.int(1, 365)}`;
    default:
      return `${r.chance(0.5) ? 'not ' : ''}c.flag${r.int(0, 9)}`;
  }
}

export function rulesProduct(n: number, seed = 1000): string {
  const r = rng(seed);
  const out = [header(`bench-rules-${n}`, `Generated: ${n} rules`)];
  for (let i = 0; i < n; i++) {
    const kind = i % 10 < 7 ? 'cover' : i % 10 < 9 ? 'exclude' : 'condition';
    const when = Array.from({ length: r.int(2, 4) }, () => leaf(r)).join(' and ');
    if (kind === 'condition')
      out.push(`condition rule-${i} "generated ${i}"\n  ${CITE}\n  when ${leaf(r)}\n  require ${when}\n`);
    else out.push(`${kind} rule-${i} "generated ${i}"\n  ${CITE}\n  when ${when}\n`);
  }
  return out.join('\n');
}

// Rules the kill index cannot use (fast-plan.ts indexes top-level conjuncts of `when` only):
// every `when` is a disjunction, some compare two facts, conditions require a negated
// disjunction. Exclusions are rare (about one claim in 500 each) and the conditions' `when` is
// often true while their requirement is rarely violated, so claims end on every level of the
// ladder instead of all at the first exclusion.
//
// Cover rules: one in 20 fires often (about a claim in three), the others rarely (about one
// claim in 80), so a covered claim has ~20 firing cover rules, each a deciding rule whose reason
// and checks the lean decision keeps: about what rules-1000 gives (~14 reasons a claim) and
// still ten times the deciding rules of a NEXI claim (0.9 on the bench corpus). An earlier
// version, kept as rulesProductMixedDense, had every cover rule fire for one claim in five:
// ~148 reasons and ~330 checks (80 KB of JSON) a claim, where the output, not the rules,
// decided the throughput.
export function rulesProductMixed(n: number, seed = 2000): string {
  const r = rng(seed);
  const out = [header(`bench-mixed-${n}`, `Generated: ${n} rules the index cannot use`)];
  const all = (k: number) => Array.from({ length: k }, () => leaf(r)).join(' and ');
  const region = () => `c.region = ${r.pick(REGIONS)}`;
  const kindIs = () => `c.kind = ${r.pick(KINDS)}`;
  const rare = () =>
    `((${region()} and ${kindIs()} and ${all(1)}) or (${region()} and c.amount > c.limit and ${kindIs()} and ${leaf(r)}))`;
  for (let i = 0; i < n; i++) {
    const kind = i % 10 < 7 ? 'cover' : i % 10 < 9 ? 'exclude' : 'condition';
    if (kind === 'cover') {
      const when =
        i % 20 === 0
          ? `(${all(2)}) or ${leaf(r)}`
          : `(${region()} and ${all(1)} and ${all(1)}) or (${kindIs()} and c.amount > c.limit and ${all(1)})`;
      out.push(`cover rule-${i} "generated ${i}"\n  ${CITE}\n  when ${when}\n`);
    } else if (kind === 'exclude') out.push(`exclude rule-${i} "generated ${i}"\n  ${CITE}\n  when ${rare()}\n`);
    else
      out.push(
        `condition rule-${i} "generated ${i}"\n  ${CITE}\n  when ${leaf(r)} or ${leaf(r)}\n  require not ${rare()}\n`,
      );
  }
  return out.join('\n');
}

// The first version of rulesProductMixed, unchanged: every cover rule fires for about one claim
// in five (~148 reasons a claim), for comparison with earlier measurements.
export function rulesProductMixedDense(n: number, seed = 2000): string {
  const r = rng(seed);
  const out = [header(`bench-mixed-${n}`, `Generated: ${n} rules the index cannot use`)];
  const all = (k: number) => Array.from({ length: k }, () => leaf(r)).join(' and ');
  const region = () => `c.region = ${r.pick(REGIONS)}`;
  const kind = () => `c.kind = ${r.pick(KINDS)}`;
  // About one claim in 500 each.
  const rare = () =>
    `((${region()} and ${kind()} and ${all(1)}) or (${region()} and c.amount > c.limit and ${kind()} and ${leaf(r)}))`;
  for (let i = 0; i < n; i++) {
    const kind = i % 10 < 7 ? 'cover' : i % 10 < 9 ? 'exclude' : 'condition';
    if (kind === 'cover') out.push(`cover rule-${i} "generated ${i}"\n  ${CITE}\n  when (${all(2)}) or ${leaf(r)}\n`);
    else if (kind === 'exclude') out.push(`exclude rule-${i} "generated ${i}"\n  ${CITE}\n  when ${rare()}\n`);
    else
      out.push(
        `condition rule-${i} "generated ${i}"\n  ${CITE}\n  when ${leaf(r)} or ${leaf(r)}\n  require not ${rare()}\n`,
      );
  }
  return out.join('\n');
}

// A unique-hit table over region × amount band: rows = regions × bands of `width` yen each
// (the last band open-ended).
export function tableProduct(rows: number, width = 1_000_000): string {
  const bands = Math.ceil(rows / REGIONS.length);
  const out = [header(`bench-table-${rows}`, `Generated: ${rows}-row decision table`)];
  out.push(
    `table tariff "料率表"\n  ${CITE}\n  hit unique\n  given c.region, c.amount\n  returns rate: rate, band: integer`,
  );
  let n = 0;
  for (const region of REGIONS) {
    for (let b = 0; b < bands && n < rows; b++, n++) {
      const lo = b * width;
      const hi = b === bands - 1 ? 100_000_000_000 : lo + width - 1;
      out.push(`  row ${region} | ${yen(lo)} .. ${yen(hi)} => ${(b % 40) / 10 + 0.1}% | ${b}`);
    }
  }
  out.push(`  else => 0% | 0\n`);
  out.push(`cover rated "区分あり"\n  ${CITE}\n  when tariff.rate > 0%\n`);
  out.push(`amount payout "支払額": money JPY\n  ${CITE}\n  payable\n  start c.amount\n  multiply tariff.rate\n`);
  return out.join('\n');
}

export function scalingCorpus(n: number, seed = 7): Record<string, unknown>[] {
  const r = rng(seed);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const c: Record<string, unknown> = {
      region: r.pick(REGIONS),
      kind: r.pick(KINDS),
      amount: String(r.int(0, 120_000_000)),
      days: r.int(0, 400),
      limit: String(r.int(0, 12_000) * 10_000),
    };
    for (let k = 0; k < 10; k++) if (r.chance(0.3)) c[`flag${k}`] = r.chance(0.5);
    out.push({ c });
  }
  return out;
}
