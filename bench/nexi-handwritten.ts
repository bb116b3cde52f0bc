// The NEXI IP-licence rules written by hand, as a careful engineer would without an engine:
// exact money (decimal.js), three-valued logic for missing facts (so the outcome matches an
// engine that says `undetermined`), the same outcome ladder. No explanation, no citations,
// no input validation beyond what the logic needs: this is the practical speed limit.
import { Decimal as DecimalLib } from 'decimal.js';

// 40 digits, as the pamphlet's premium ratios are not terminating decimals.
const Decimal = DecimalLib.clone({ precision: 40, toExpNeg: -40, toExpPos: 40 });
type Decimal = InstanceType<typeof Decimal>;

type T = boolean | undefined; // undefined: a fact the answer needs is missing
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface HandDecision {
  outcome: string;
  deciding: string[];
  payout: string | null;
  premiums?: { political: string | null; credit: string | null };
}

const and = (...xs: T[]): T => {
  let u = false;
  for (const x of xs) { if (x === false) return false; if (x === undefined) u = true; }
  return u ? undefined : true;
};
const or = (...xs: T[]): T => {
  let u = false;
  for (const x of xs) { if (x === true) return true; if (x === undefined) u = true; }
  return u ? undefined : false;
};
const not = (x: T): T => (x === undefined ? undefined : !x);
const eq = (v: unknown, x: unknown): T => (v === undefined ? undefined : v === x);
const isIn = (v: unknown, xs: readonly unknown[]): T => (v === undefined ? undefined : xs.includes(v));
const le = (a: number | string | undefined, b: number | string | undefined): T => (a === undefined || b === undefined ? undefined : a <= b);

const DAY = 86400000;
function addDays(iso: string | undefined, n: number): string | undefined {
  if (iso === undefined) return undefined;
  return new Date(Date.parse(iso + 'T00:00:00Z') + n * DAY).toISOString().slice(0, 10);
}
function addMonths(iso: string | undefined, months: number): string | undefined {
  if (iso === undefined) return undefined;
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7)) - 1 + months;
  const d = Number(iso.slice(8, 10));
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(d, last))).toISOString().slice(0, 10);
}
const money = (s: unknown): Decimal | undefined => (s === undefined ? undefined : new Decimal(String(s).replace(/,/g, '')));
const rate = (s: unknown): Decimal | undefined => {
  if (s === undefined) return undefined;
  const t = String(s);
  return t.endsWith('%') ? new Decimal(t.slice(0, -1)).div(100) : new Decimal(t);
};

const POLITICAL_1_8 = ['fx_restriction', 'import_restriction', 'rescheduling', 'local_currency_discharge', 'expropriation', 'discriminatory_measure', 'sanctions', 'war', 'natural_disaster', 'nuclear', 'transport'];
// rating -> [credit column, ILC override (※), usance limit (□)]
const BUYER: Record<string, [string, boolean, boolean]> = {
  GS: ['covered', false, false], GA: ['covered', false, false], GE: ['covered', false, false],
  EE: ['guarantee_balance', true, false], EA: ['guarantee_balance', true, false],
  EM: ['guarantee_balance', true, true], EF: ['guarantee_balance', true, true],
  EC: ['not_covered', true, false], P: ['not_covered', true, false], R: ['not_covered', true, false],
  B: ['refused', false, false], unregistered: ['refused', false, false],
};

export function decideNexi(f: Obj): HandDecision {
  const ap = f['applicant'] ?? {}, ct = f['contract'] ?? {}, by = f['buyer'] ?? {}, st = f['settlement'] ?? {};
  const po = f['policy'] ?? {}, lo = f['loss'] ?? {}, cl = f['claim'] ?? {};
  const kind: string = lo.kind ?? 'uncollectable';
  const risk: string | undefined = lo.risk;
  const ilc: boolean = st.ilc ?? false;
  const row = by.rating === undefined ? undefined : BUYER[by.rating];
  const credit = row?.[0];
  const ilcOverride = and(row?.[1], ilc, st.ilc_obtained ?? false, isIn(st.ilc_bank_rating, ['GS', 'GE', 'SA']));
  const unc = eq(kind, 'uncollectable');
  const insuredFault: boolean = lo.attributable_to_insured ?? false;
  const balance = money(by.guarantee_balance);
  const limit = money(po.payment_limit);
  const gLimit = money(by.guarantee_limit);
  const rp = rate(po.coverage_ratio_political);
  const rc = rate(po.coverage_ratio_credit);

  // [id, level, fires]; levels: 0 invalid, 1 ineligible, 2 excluded, 3 refused, 4 covered
  const rules: [string, number, T][] = [
    ['japanese-licensor', 1, not(and(ap.japanese_company, ct.counterparty_foreign))],
    ['variable-consideration', 1, and(eq(ct.kind, 'knowhow_license'), not(ct.consideration_variable))],
    ['fixed-price-know-how', 1, eq(ct.kind, 'knowhow_sale')],
    ['buyer-rated-b', 1, eq(by.rating, 'B')],
    ['buyer-unregistered', 1, eq(by.rating, 'unregistered')],
    ['period-up-to-5-years', 1, not(le(po.end_date, addMonths(po.start_date, 60)))],
    ['political-events-1-to-8', 4, and(unc, eq(risk, 'political'), isIn(lo.political_event, POLITICAL_1_8))],
    ['political-event-9', 4, and(unc, eq(risk, 'political'), eq(lo.political_event, 'other_foreign'),
      not(or(lo.import_licence_not_obtained ?? false, lo.attributable_to_either_party ?? false)))],
    ['political-event-10', 4, and(unc, eq(risk, 'political'), eq(lo.political_event, 'japan_export_ban'), not(lo.fefta_25_2_or_53 ?? false))],
    ['credit-event-1-repudiation', 4, and(unc, eq(risk, 'credit'), eq(lo.credit_event, 'government_repudiation'), lo.counterparty_government,
      or(isIn(lo.cancellation_ground, ['repudiation', 'costly_change', 'similar']),
        and(isIn(lo.cancellation_ground, ['deferral', 'preshipment_delay']), lo.deferral_or_delay === undefined ? undefined : lo.deferral_or_delay >= 12)),
      not(insuredFault))],
    ['credit-events-2-3-bankruptcy', 4, and(unc, eq(risk, 'credit'), isIn(lo.credit_event, ['bankruptcy', 'quasi_bankruptcy']), lo.confirmed_by_foreign_authority)],
    ['credit-event-4-default', 4, and(unc, eq(risk, 'credit'), eq(lo.credit_event, 'default'),
      lo.default_period === undefined ? undefined : lo.default_period >= 3, not(insuredFault))],
    ['media-not-shipped', 4, and(eq(kind, 'media_not_shipped'), eq(ct.kind, 'media_license'), or(eq(risk, 'political'), eq(lo.credit_event, 'bankruptcy')))],
    ['counterfeit', 2, lo.counterfeit ?? false],
    ['related-party-credit', 2, and(by.related_party ?? false, eq(risk, 'credit'))],
    ['credit-not-covered-for-rating', 2, and(eq(risk, 'credit'), eq(credit, 'not_covered'), not(ilcOverride))],
    ['credit-no-guarantee-balance', 2, and(eq(risk, 'credit'), eq(credit, 'guarantee_balance'),
      balance === undefined ? undefined : balance.lte(0), not(ilcOverride))],
    ['usance-over-180-days', 2, and(eq(risk, 'credit'), row?.[2], st.usance === undefined ? undefined : st.usance > 180, not(ilc))],
    ['loss-notice-within-45-days', 3, not(le(cl.notice_date, addDays(lo.known_date, 45)))],
    ['claim-within-9-months', 3, not(le(cl.filed_date, addMonths(st.due_date, 9)))],
    ['change-notified-within-1-month', 3, and((ct.change_kind ?? 'none') !== 'none',
      not(and(le(ct.change_notice_date, addMonths(ct.change_date, 1)), le(ct.change_notice_date, po.end_date))))],
    ['political-ratio-up-to-100', 0, rp === undefined ? undefined : rp.gt(1)],
    ['credit-ratio-up-to-90', 0, rc === undefined ? undefined : rc.gt(0.9)],
    ['no-limit-change-or-cancellation', 0, (po.limit_changed_after_conclusion ?? false) || (po.cancelled ?? false)],
    ['limit-within-guarantee', 0, and(eq(credit, 'guarantee_balance'), limit === undefined || gLimit === undefined ? undefined : limit.gt(gLimit))],
  ];

  const OUT = ['invalid', 'ineligible', 'excluded', 'refused', 'covered'];
  let outcome = 'not-covered';
  let deciding: string[] = [];
  let unknown = false;
  for (let level = 0; level < 5; level++) {
    const fired = rules.filter((r) => r[1] === level && r[2] === true).map((r) => r[0]);
    if (fired.length) {
      if (unknown) outcome = 'undetermined';
      else { outcome = OUT[level]!; deciding = fired; }
      break;
    }
    if (rules.some((r) => r[1] === level && r[2] === undefined)) unknown = true;
  }
  if (unknown && outcome === 'not-covered') outcome = 'undetermined';

  let payout: string | null = '0';
  if (outcome === 'undetermined') payout = null;
  else if (outcome === 'covered') {
    const amount = money(lo.amount);
    const ratio = risk === undefined ? undefined : risk === 'political' ? rp : rc;
    if (amount === undefined || ratio === undefined || limit === undefined) payout = null;
    else payout = Decimal.min(amount.mul(ratio), limit).toFixed();
  }
  const out: HandDecision = { outcome, deciding, payout };
  if (f['premium']) out.premiums = premiums(f['premium'], rp, rc, limit);
  return out;
}

// §6 premiums, only for claims that carry premium inputs.
function premiums(pr: Obj, rp: Decimal | undefined, rc: Decimal | undefined, limit: Decimal | undefined): { political: string | null; credit: string | null } {
  if (rp === undefined || limit === undefined) return { political: null, credit: null };
  const value = new Decimal(pr.consideration_per_confirmation).mul(pr.confirmations_per_year).mul(pr.years);
  const limitRatio = limit.div(value.mul(rp));
  const c = new Decimal(pr.c ?? 1), d = new Decimal(pr.d ?? 1), coeff = new Decimal(pr.product_coefficient);
  const politicalRate = new Decimal(pr.political_a).mul(pr.x1).plus(pr.political_b).mul(rp).mul(coeff).mul(c);
  const political = value.mul(politicalRate).div(100).mul(limitRatio).div(1000).toDecimalPlaces(0, Decimal.ROUND_DOWN).mul(1000).toFixed();
  if (rc === undefined) return { political, credit: null };
  const x2 = new Decimal(pr.pre_shipment_days).mul(pr.adjustment_coefficient).plus(pr.post_shipment_days).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  const creditRate = new Decimal(pr.credit_a).mul(x2).plus(pr.credit_b).mul(rc).mul(coeff).mul(c).mul(d);
  const credit = value.mul(creditRate).div(100).mul(limitRatio).div(1000).toDecimalPlaces(0, Decimal.ROUND_DOWN).mul(1000).toFixed();
  return { political, credit };
}
