// Deterministic claim corpora. Every run with the same seed yields byte-identical facts, so
// throughput numbers from two runs (or two machines) are measured on the same work.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCaseFiles, readYaml } from '../engine/tools/cases.js';

// The same seeded generator as `yakkan cases generate`: one sequence for a seed everywhere.
export { prng } from '../engine/tools/generate.js';
import { prng } from '../engine/tools/generate.js';

export interface Rng {
  f(): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function rng(seed: number): Rng {
  const f = prng(seed);
  return {
    f,
    int: (lo, hi) => lo + Math.floor(f() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(f() * xs.length)]!,
    chance: (p) => f() < p,
  };
}

const DAY = 86400000;
export function isoDays(days: number): string {
  return new Date(days * DAY).toISOString().slice(0, 10);
}
export function daysOf(iso: string): number {
  return Date.parse(iso + 'T00:00:00Z') / DAY;
}

const RATINGS = ['GS', 'GA', 'GE', 'EE', 'EA', 'EM', 'EF', 'EC', 'P', 'R', 'B', 'unregistered'] as const;
const POLITICAL = [
  'fx_restriction',
  'import_restriction',
  'rescheduling',
  'local_currency_discharge',
  'expropriation',
  'discriminatory_measure',
  'sanctions',
  'war',
  'natural_disaster',
  'nuclear',
  'transport',
  'other_foreign',
  'japan_export_ban',
] as const;
const CREDIT = ['government_repudiation', 'bankruptcy', 'quasi_bankruptcy', 'default'] as const;
const GROUNDS = ['repudiation', 'costly_change', 'deferral', 'preshipment_delay', 'similar'] as const;
const KINDS = [
  'patent_license',
  'patent_license',
  'patent_license',
  'knowhow_license',
  'knowhow_license',
  'media_license',
] as const;
const BANKS = ['GS', 'GA', 'GE', 'SA', 'other'] as const;

// Facts a claim may lack (none has a default): dropping them exercises `undetermined`.
const DROPPABLE = [
  'buyer.rating',
  'loss.risk',
  'loss.amount',
  'loss.known_date',
  'claim.notice_date',
  'claim.filed_date',
  'settlement.due_date',
  'settlement.usance',
  'buyer.guarantee_balance',
  'policy.payment_limit',
  'loss.credit_event',
  'loss.political_event',
  'policy.coverage_ratio_credit',
  'applicant.japanese_company',
  'contract.kind',
  'loss.default_period',
  'loss.confirmed_by_foreign_authority',
];

type Obj = Record<string, unknown>;

function del(o: Obj, path: string): void {
  const ks = path.split('.');
  let cur: Obj | undefined = o;
  for (const k of ks.slice(0, -1)) cur = cur?.[k] as Obj | undefined;
  if (cur) delete cur[ks[ks.length - 1]!];
}

// Japanese yen as a facts file writes it. Most systems send plain digits; a share of the claims
// (`style`, its own random sequence, so the claims themselves do not change) write amounts and
// rates as the pamphlets do: 9,000万円, 1億2,345万6,789円, 12,345,678円, and 0.95 for 95%.
export interface Style {
  pamphlet: number;
  r: Rng;
}
const PLAIN: Style = { pamphlet: 0, r: rng(1) };
let style = PLAIN;

const grouped = (n: number) => n.toLocaleString('en-US');
export function pamphletYen(n: number, how: number): string {
  if (how === 0) return `${grouped(n)}円`;
  if (how === 1) return grouped(n);
  const oku = Math.floor(n / 100_000_000);
  const man = Math.floor((n % 100_000_000) / 10_000);
  const rest = n % 10_000;
  const text = `${oku ? `${grouped(oku)}億` : ''}${man ? `${grouped(man)}万` : ''}${rest ? grouped(rest) : ''}`;
  return `${text || '0'}円`;
}
const yen = (n: number) =>
  style.pamphlet > 0 && style.r.chance(style.pamphlet) ? pamphletYen(n, style.r.int(0, 2)) : String(n);
const pct = (n: number) => (style.pamphlet > 0 && style.r.chance(style.pamphlet) ? String(n / 100) : `${n}%`);

export function nexiClaim(r: Rng): Obj {
  const start = daysOf('2018-01-01') + r.int(0, 365 * 7);
  const end = start + (r.chance(0.05) ? r.int(1827, 2300) : r.int(300, 1826)); // a few periods exceed 5 years
  const due = start + r.int(30, 900);
  const known = due + r.int(-30, 400);
  const risk = r.chance(0.45) ? 'political' : 'credit';
  const limit = r.pick([5_000_000, 10_000_000, 30_000_000, 50_000_000, 90_000_000, 300_000_000]);
  const gLimit = limit + (r.chance(0.05) ? -1_000_000 : r.pick([0, 10_000_000]));
  const ilc = r.chance(0.2);
  const loss: Obj = {
    risk,
    amount: yen(r.int(1, 5_000) * 100_000 + r.int(0, 99_999)),
    known_date: isoDays(known),
    counterparty_government: r.chance(0.3),
    confirmed_by_foreign_authority: r.chance(0.8),
    default_period: r.int(0, 12),
  };
  if (risk === 'political') loss['political_event'] = r.pick(POLITICAL);
  else loss['credit_event'] = r.pick(CREDIT);
  if (r.chance(0.3)) loss['credit_event'] ??= r.pick(CREDIT);
  if (r.chance(0.4)) {
    loss['cancellation_ground'] = r.pick(GROUNDS);
    loss['deferral_or_delay'] = r.int(0, 24);
  }
  if (r.chance(0.08)) loss['kind'] = 'media_not_shipped';
  if (r.chance(0.05)) loss['attributable_to_insured'] = true;
  if (r.chance(0.05)) loss['attributable_to_either_party'] = true;
  if (r.chance(0.05)) loss['import_licence_not_obtained'] = true;
  if (r.chance(0.05)) loss['fefta_25_2_or_53'] = true;
  if (r.chance(0.03)) loss['counterfeit'] = true;
  const changed = r.chance(0.1);
  const CHANGES = [
    'technology_type',
    'provision_start',
    'counterparty_or_countries',
    'settlement_terms',
    'payment_guarantee',
  ];
  const change = start + r.int(0, 600);
  const facts: Obj = {
    applicant: { japanese_company: r.chance(0.97) },
    contract: {
      counterparty_foreign: r.chance(0.97),
      kind: r.chance(0.03) ? 'knowhow_sale' : r.pick(KINDS),
      consideration_variable: r.chance(0.85),
      ...(changed
        ? {
            change_kind: r.pick(CHANGES),
            change_date: isoDays(change),
            change_notice_date: isoDays(change + r.int(0, 45)),
          }
        : {}),
    },
    buyer: {
      rating: r.chance(0.04) ? r.pick(['B', 'unregistered']) : r.pick(RATINGS.slice(0, 10)),
      related_party: r.chance(0.08),
      guarantee_limit: yen(gLimit),
      guarantee_balance: yen(r.chance(0.2) ? 0 : r.int(1, 300) * 1_000_000),
    },
    settlement: {
      ...(ilc ? { ilc: true, ilc_obtained: r.chance(0.8), ilc_bank_rating: r.pick(BANKS) } : {}),
      usance: r.int(30, 360),
      due_date: isoDays(due),
    },
    policy: {
      start_date: isoDays(start),
      end_date: isoDays(end),
      coverage_ratio_political: pct(r.chance(0.02) ? 105 : r.pick([80, 90, 95, 100])),
      coverage_ratio_credit: pct(r.chance(0.02) ? 95 : r.pick([50, 70, 80, 90])),
      payment_limit: yen(limit),
      ...(r.chance(0.01) ? { limit_changed_after_conclusion: true } : {}),
      ...(r.chance(0.01) ? { cancelled: true } : {}),
    },
    loss,
    claim: {
      notice_date: isoDays(known + (r.chance(0.06) ? r.int(46, 90) : r.int(0, 45))),
      filed_date: isoDays(due + (r.chance(0.05) ? r.int(275, 330) : r.int(0, 270))),
    },
  };
  if (r.chance(0.2)) {
    facts['premium'] = {
      consideration_per_confirmation: yen(r.int(1, 200) * 1_000_000),
      confirmations_per_year: r.int(1, 12),
      years: r.int(1, 5),
      political_a: '0.0003',
      political_b: '0.01',
      x1: String(r.int(1, 9)),
      product_coefficient: r.pick(['1', '0.8', '1.2']),
      credit_a: '0.005',
      credit_b: '0.5',
      pre_shipment_days: r.int(0, 900),
      adjustment_coefficient: '0.45',
      post_shipment_days: r.int(0, 180),
    };
  }
  if (r.chance(0.15)) for (let k = r.int(1, 3); k > 0; k--) del(facts, r.pick(DROPPABLE));
  return facts;
}

// pamphlet: the share of amounts and rates written as pamphlets write them.
export function nexiCorpus(n: number, seed = 20260401, pamphlet = 0): Obj[] {
  const r = rng(seed);
  style = pamphlet > 0 ? { pamphlet, r: rng(seed ^ 0x5eed) } : PLAIN;
  const out: Obj[] = [];
  try {
    for (let i = 0; i < n; i++) out.push(nexiClaim(r));
  } finally {
    style = PLAIN;
  }
  return out;
}

const CYBER_CATEGORIES = [
  'damages',
  'litigation',
  'right_preservation',
  'suit_response',
  'incident_response',
  'investigation',
  'advertising',
  'legal_advice',
  'consulting',
  'apology',
  'credit_monitoring',
  'public_investigation',
  'system_restoration',
  'spread_prevention',
  'recurrence_prevention',
  'attack_investigation',
];

// Cyber claims are variations on the product's own case files (which already span plans, sets,
// accident types and territories): items are resampled, re-priced and multiplied.
export function cyberCorpus(root: string, n: number, seed = 20210301, pamphlet = 0): Obj[] {
  const templates: Obj[] = [];
  for (const f of findCaseFiles([join(root, 'products', 'cyber', 'cases')])) {
    const c = readYaml(readFileSync(f, 'utf8')) as { facts?: Obj; expect?: { errors?: unknown } };
    const items = (c.facts?.['claim'] as Obj | undefined)?.['items'] as Obj[] | undefined;
    if (c.facts && !c.expect?.errors && items?.length) templates.push(c.facts);
  }
  const r = rng(seed);
  style = pamphlet > 0 ? { pamphlet, r: rng(seed ^ 0x5eed) } : PLAIN;
  const out: Obj[] = [];
  for (let i = 0; i < n; i++) {
    const t = structuredClone(r.pick(templates));
    const claim = t['claim'] as Obj;
    const pool = claim['items'] as Obj[];
    const count = r.int(1, 8);
    const items: Obj[] = [];
    for (let k = 0; k < count; k++) {
      const it = { ...r.pick(pool) };
      it['amount'] = yen(r.int(0, 3_000) * 10_000);
      if (r.chance(0.15)) it['approved'] = !it['approved'];
      if (r.chance(0.1) && typeof it['category'] === 'string') it['category'] = r.pick(CYBER_CATEGORIES);
      items.push(it);
    }
    claim['items'] = items;
    out.push(t);
  }
  style = PLAIN;
  return out;
}
