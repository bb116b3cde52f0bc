// The NEXI IP-licence rules written by hand, for speed, as the baselines yakkan is measured against.
// Two variants share the rule logic and differ in their arithmetic:
//   decideNexiInt  integer-exact: yen as integers, rates in basis points, dates as day numbers;
//                  any value outside that safe range (a fraction of a yen, a rate finer than a
//                  basis point, a product beyond 2^53) decides through decimal.js instead;
//   decideNexiDec  decimal.js for every amount and rate (dates as day numbers too).
// Both read the raw facts as yakkan does (amounts written "90000000", "12,345,678円" or
// "9,000万円", rates "90%" or "0.9"), decide with three-valued logic for missing facts and the same
// outcome ladder, stop at the deciding level, and give the outcome, the deciding rules and the
// payout; the premiums only when asked (yakkan's lean decision computes no premium, its full trace
// computes every formula). No validation, no reasons, no citations.
import { Decimal as DecimalLib } from 'decimal.js';

// As engine/pipeline/money.ts: 40 digits, half-up (the premium ratios do not terminate).
const Decimal = DecimalLib.clone({ precision: 40, rounding: DecimalLib.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
type Decimal = InstanceType<typeof Decimal>;

// biome-ignore lint/suspicious/noExplicitAny: raw facts, read as a hand-written program reads parsed JSON
type Obj = Record<string, any>;

export interface Premiums {
  political: string | null;
  credit: string | null;
  total: string | null;
}

export interface HandDecision {
  outcome: string;
  deciding: readonly string[];
  payout: string | null;
  premiums?: Premiums;
}

// Three-valued logic as small integers: F 0, T 1, U 2 (a fact the answer needs is missing).
const F = 0;
const T = 1;
const U = 2;
type T3 = 0 | 1 | 2;
const and2 = (a: T3, b: T3): T3 => (a === F || b === F ? F : a > b ? a : b);
const or2 = (a: T3, b: T3): T3 => (a === T || b === T ? T : a > b ? a : b);
const not = (a: T3): T3 => (a === U ? U : a === T ? F : T);
const bool = (v: unknown): T3 => (v === undefined ? U : v ? T : F);
const eq = (v: unknown, x: string): T3 => (v === undefined ? U : v === x ? T : F);
const le = (a: number, b: number): T3 => (Number.isNaN(a) || Number.isNaN(b) ? U : a <= b ? T : F); // NaN: missing
const ge = (a: number, b: number): T3 => (Number.isNaN(a) ? U : a >= b ? T : F);
const gt = (a: number, b: number): T3 => (Number.isNaN(a) ? U : a > b ? T : F);

// ---- dates as day numbers (NaN: missing)
function day(iso: unknown): number {
  if (iso === undefined) return NaN;
  const s = iso as string;
  const c = (i: number) => s.charCodeAt(i) - 48;
  return civilToDays(c(0) * 1000 + c(1) * 100 + c(2) * 10 + c(3), c(5) * 10 + c(6), c(8) * 10 + c(9));
}
function civilToDays(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
// The same calendar day `months` later, clamped to the month's end (as yakkan's addMonths).
function addMonths(iso: unknown, months: number): number {
  if (iso === undefined) return NaN;
  const s = iso as string;
  const c = (i: number) => s.charCodeAt(i) - 48;
  const m0 = c(5) * 10 + c(6) - 1 + months;
  const y = c(0) * 1000 + c(1) * 100 + c(2) * 10 + c(3) + Math.floor(m0 / 12);
  const m = (m0 % 12) + 1;
  const leap = m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0);
  const last = leap ? 29 : MONTH_DAYS[m - 1]!;
  const d = c(8) * 10 + c(9);
  return civilToDays(y, m, Math.min(d, last));
}
// A duration as a count: 45, "45 days", "45日" (NaN: missing).
function count(v: unknown): number {
  if (v === undefined) return NaN;
  if (typeof v === 'number') return v;
  return Number.parseInt(v as string, 10);
}

// ---- amounts and rates, integer-exact (NaN: missing; -1 or -2: outside the safe range)
const MISSING = NaN;
const UNSAFE = -1;
// Yen written as yakkan reads them: digits with thousands commas, 億/万/千 groups, 円 at the end.
function yenInt(v: unknown): number {
  if (v === undefined) return MISSING;
  const s = v as string;
  let total = 0;
  let group = 0;
  let digits = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      group = group * 10 + (ch - 48);
      digits = true;
    } else if (ch === 44)
      continue; // ,
    else if (ch === 0x5104) {
      total += group * 100_000_000;
      group = 0;
    } // 億
    else if (ch === 0x4e07) {
      total += group * 10_000;
      group = 0;
    } // 万
    else if (ch === 0x5343) {
      total += group * 1_000;
      group = 0;
    } // 千
    else if (ch === 0x5186 && i === s.length - 1)
      break; // 円
    else return UNSAFE; // a decimal point, another currency: decimal.js decides
  }
  total += group;
  return digits && Number.isSafeInteger(total) ? total : UNSAFE;
}
// A rate in basis points: "90%" is 9000, "0.9" is 9000.
function rateBp(v: unknown): number {
  if (v === undefined) return MISSING;
  const s = v as string;
  const pct = s.charCodeAt(s.length - 1) === 37 || s.charCodeAt(s.length - 1) === 0xff05; // % ％
  const end = pct ? s.length - 1 : s.length;
  let int = 0;
  let frac = 0;
  let fracDigits = -1;
  for (let i = 0; i < end; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      if (fracDigits < 0) int = int * 10 + (ch - 48);
      else {
        frac = frac * 10 + (ch - 48);
        fracDigits++;
      }
    } else if (ch === 46 && fracDigits < 0) fracDigits = 0;
    else if (ch !== 44) return UNSAFE;
  }
  const scale = pct ? 2 : 4; // digits after the point that still give whole basis points
  if (fracDigits > scale) return UNSAFE;
  const bp = int * 10 ** scale + frac * 10 ** (scale - Math.max(fracDigits, 0));
  return Number.isSafeInteger(bp) ? bp : UNSAFE;
}

// ---- the same in decimal.js (undefined: missing)
function yenDec(v: unknown): Decimal | undefined {
  if (v === undefined) return undefined;
  const s = v as string;
  let plain = true;
  for (let i = 0; i < s.length && plain; i++) {
    const ch = s.charCodeAt(i);
    plain = ch >= 48 && ch <= 57;
  }
  if (plain) return new Decimal(s);
  const body = s.endsWith('円') ? s.slice(0, -1) : s;
  let total = new Decimal(0);
  let at = 0;
  for (let i = 0; i <= body.length; i++) {
    const unit = body[i] === '億' ? 1e8 : body[i] === '万' ? 1e4 : body[i] === '千' ? 1e3 : i === body.length ? 1 : 0;
    if (unit === 0) continue;
    if (i > at) total = total.plus(new Decimal(body.slice(at, i).replace(/,/g, '')).mul(unit));
    at = i + 1;
  }
  return total;
}
function rateDec(v: unknown): Decimal | undefined {
  if (v === undefined) return undefined;
  const s = (v as string).replace(/,/g, '');
  const last = s.charCodeAt(s.length - 1);
  return last === 37 || last === 0xff05 ? new Decimal(s.slice(0, -1)).div(100) : new Decimal(s);
}

// ---- the rules
const POLITICAL_1_8 = new Set([
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
]);
// buyer_cover, by rating: credit column, ※ (ILC override), □ (usance limit).
const CREDIT: Record<string, string> = {
  GS: 'covered',
  GA: 'covered',
  GE: 'covered',
  EE: 'guarantee_balance',
  EA: 'guarantee_balance',
  EM: 'guarantee_balance',
  EF: 'guarantee_balance',
  EC: 'not_covered',
  P: 'not_covered',
  R: 'not_covered',
  B: 'refused',
  unregistered: 'refused',
};
const OVERRIDE = new Set(['EE', 'EA', 'EM', 'EF', 'EC', 'P', 'R']);
const USANCE_180 = new Set(['EM', 'EF']);
const ILC_BANKS = new Set(['GS', 'GE', 'SA']);

// Per ladder level (constraint, eligibility, exclusion, condition, cover), its rules in source order.
const LEVEL_RULES: readonly (readonly string[])[] = [
  ['political-ratio-up-to-100', 'credit-ratio-up-to-90', 'limit-within-guarantee', 'no-limit-change-or-cancellation'],
  [
    'japanese-licensor',
    'variable-consideration',
    'fixed-price-know-how',
    'buyer-rated-b',
    'buyer-unregistered',
    'period-up-to-5-years',
  ],
  [
    'counterfeit',
    'related-party-credit',
    'credit-not-covered-for-rating',
    'credit-no-guarantee-balance',
    'usance-over-180-days',
  ],
  ['loss-notice-within-45-days', 'claim-within-9-months', 'change-notified-within-1-month'],
  [
    'political-events-1-to-8',
    'political-event-9',
    'political-event-10',
    'credit-event-1-repudiation',
    'credit-events-2-3-bankruptcy',
    'credit-event-4-default',
    'media-not-shipped',
  ],
];
const OUTCOMES = ['invalid', 'ineligible', 'excluded', 'refused', 'covered'];
const NONE: readonly string[] = [];
// The deciding rules of a level for a mask of fired rules, built once per mask.
const DECIDING: (readonly string[] | undefined)[][] = LEVEL_RULES.map(() => []);
function deciding(level: number, mask: number): readonly string[] {
  const cached = DECIDING[level]![mask];
  if (cached) return cached;
  const ids = LEVEL_RULES[level]!.filter((_, k) => (mask >> k) & 1);
  DECIDING[level]![mask] = ids;
  return ids;
}

// Comparisons on amounts and rates, given by the variant that reads them.
interface Numeric {
  balanceNotPositive: T3; // buyer.guarantee_balance <= 0円
  politicalOver100: T3;
  creditOver90: T3;
  limitOverGuarantee: T3; // policy.payment_limit > buyer.guarantee_limit
  changeCostOverProfit: T3; // loss.change_cost_increase > loss.change_expected_profit
}

// The outcome ladder, level by level, stopping at the first level with a rule fired: the level
// (0-4; 5 not covered; 6 undetermined) times 256 plus the mask of the level's fired rules.
// Issue 11 item 12: a covered claim whose payout cannot be computed becomes undetermined. Until
// the engine decides so, such a claim is covered with no payout (null).
const UNCOMPUTABLE_UNDETERMINED = true;
const NOT_COVERED = 5;
const UNDETERMINED = 6;
function ladder(f: Obj, n: Numeric): number {
  const ap = f['applicant'],
    ct = f['contract'],
    by = f['buyer'],
    st = f['settlement'];
  const po = f['policy'],
    lo = f['loss'],
    cl = f['claim'];
  // Unknown before this level (a fired rule here is then undetermined) and at this level.
  let unknown = false;
  let u = false;
  let m = 0;
  let t: T3;
  // A table lookup on a missing rating: every output unknown.
  const rating: string | undefined = by?.rating;
  const credit = rating === undefined ? undefined : CREDIT[rating];

  // constraints
  t = n.politicalOver100;
  if (t === T) m |= 1;
  else if (t === U) u = true;
  t = n.creditOver90;
  if (t === T) m |= 2;
  else if (t === U) u = true;
  t = and2(eq(credit, 'guarantee_balance'), n.limitOverGuarantee);
  if (t === T) m |= 4;
  else if (t === U) u = true;
  if (po?.limit_changed_after_conclusion === true || po?.cancelled === true) m |= 8;
  if (m !== 0) return unknown ? UNDETERMINED << 8 : m;
  unknown = u;

  // eligibility
  const ilc = st?.ilc ?? false;
  const qualifyingIlc = and2(
    and2(bool(ilc), bool(st?.ilc_obtained ?? false)),
    st?.ilc_bank_rating === undefined ? U : ILC_BANKS.has(st.ilc_bank_rating) ? T : F,
  );
  const kind: string | undefined = ct?.kind;
  t = not(and2(bool(ap?.japanese_company), bool(ct?.counterparty_foreign)));
  if (t === T) m |= 1;
  else if (t === U) u = true;
  t = and2(eq(kind, 'knowhow_license'), not(bool(ct?.consideration_variable)));
  if (t === T) m |= 2;
  else if (t === U) u = true;
  t = eq(kind, 'knowhow_sale');
  if (t === T) m |= 4;
  else if (t === U) u = true;
  t = eq(rating, 'B');
  if (t !== F) t = and2(t, not(qualifyingIlc));
  if (t === T) m |= 8;
  else if (t === U) u = true;
  t = eq(rating, 'unregistered');
  if (t === T) m |= 16;
  else if (t === U) u = true;
  t = not(le(day(po?.end_date), addMonths(po?.start_date, 60)));
  if (t === T) m |= 32;
  else if (t === U) u = true;
  if (m !== 0) return unknown ? UNDETERMINED << 8 : (1 << 8) | m;
  unknown ||= u;

  // exclusions
  const risk: string | undefined = lo?.risk;
  const creditRisk = eq(risk, 'credit');
  const ilcOverride = and2(rating === undefined ? U : OVERRIDE.has(rating) ? T : F, qualifyingIlc);
  t = lo === undefined ? U : bool(lo.counterfeit ?? false);
  if (t === T) m |= 1;
  else if (t === U) u = true;
  t = by === undefined || !(by.related_party ?? false) ? F : creditRisk;
  if (t === T) m |= 2;
  else if (t === U) u = true;
  t = and2(creditRisk, eq(credit, 'not_covered'));
  if (t !== F) t = and2(t, not(ilcOverride));
  if (t === T) m |= 4;
  else if (t === U) u = true;
  t = and2(and2(creditRisk, eq(credit, 'guarantee_balance')), n.balanceNotPositive);
  if (t !== F) t = and2(t, not(ilcOverride));
  if (t === T) m |= 8;
  else if (t === U) u = true;
  t = and2(and2(creditRisk, rating === undefined ? U : USANCE_180.has(rating) ? T : F), gt(count(st?.usance), 180));
  if (t !== F) t = and2(t, not(qualifyingIlc));
  if (t === T) m |= 16;
  else if (t === U) u = true;
  if (m !== 0) return unknown ? UNDETERMINED << 8 : (2 << 8) | m;
  unknown ||= u;

  // conditions of payment
  t = not(le(day(cl?.notice_date), day(lo?.known_date) + 45));
  if (t === T) m |= 1;
  else if (t === U) u = true;
  t = not(le(day(cl?.filed_date), addMonths(st?.due_date, 9)));
  if (t === T) m |= 2;
  else if (t === U) u = true;
  const change = ct === undefined ? undefined : (ct.change_kind ?? 'none');
  t = change === undefined ? U : change === 'none' ? F : T;
  if (t !== F) {
    const notice = day(ct?.change_notice_date);
    t = and2(t, not(and2(le(notice, addMonths(ct?.change_date, 1)), le(notice, day(po?.end_date)))));
  }
  if (t === T) m |= 4;
  else if (t === U) u = true;
  if (m !== 0) return unknown ? UNDETERMINED << 8 : (3 << 8) | m;
  unknown ||= u;

  // cover
  const lossKind = lo === undefined ? undefined : (lo.kind ?? 'uncollectable');
  const unc = eq(lossKind, 'uncollectable');
  const political = and2(unc, eq(risk, 'political'));
  const credit1 = and2(unc, creditRisk);
  const pe: string | undefined = lo?.political_event;
  const ce: string | undefined = lo?.credit_event;
  const insuredFault = lo === undefined ? U : bool(lo.attributable_to_insured ?? false);
  t = and2(political, pe === undefined ? U : POLITICAL_1_8.has(pe) ? T : F);
  if (t === T) m |= 1;
  else if (t === U) u = true;
  t = and2(political, eq(pe, 'other_foreign'));
  if (t !== F)
    t = and2(
      t,
      not(
        lo === undefined
          ? U
          : or2(bool(lo.import_licence_not_obtained ?? false), bool(lo.attributable_to_either_party ?? false)),
      ),
    );
  if (t === T) m |= 2;
  else if (t === U) u = true;
  t = and2(political, eq(pe, 'japan_export_ban'));
  if (t !== F) t = and2(t, not(lo === undefined ? U : bool(lo.fefta_25_2_or_53 ?? false)));
  if (t === T) m |= 4;
  else if (t === U) u = true;
  t = and2(and2(credit1, eq(ce, 'government_repudiation')), bool(lo?.counterparty_government));
  if (t !== F) {
    const g: string | undefined = lo?.cancellation_ground;
    const ground =
      g === undefined
        ? U
        : g === 'repudiation' || g === 'similar'
          ? T
          : g === 'costly_change'
            ? n.changeCostOverProfit
            : g === 'deferral' || g === 'preshipment_delay'
              ? ge(count(lo?.deferral_or_delay), 12)
              : F;
    t = and2(t, ground);
    if (t !== F) t = and2(t, not(insuredFault));
  }
  if (t === T) m |= 8;
  else if (t === U) u = true;
  t = and2(
    and2(credit1, ce === undefined ? U : ce === 'bankruptcy' || ce === 'quasi_bankruptcy' ? T : F),
    bool(lo?.confirmed_by_foreign_authority),
  );
  if (t === T) m |= 16;
  else if (t === U) u = true;
  t = and2(and2(credit1, eq(ce, 'default')), ge(count(lo?.default_period), 3));
  if (t !== F) t = and2(t, not(insuredFault));
  if (t === T) m |= 32;
  else if (t === U) u = true;
  t = and2(
    and2(eq(lossKind, 'media_not_shipped'), eq(kind, 'media_license')),
    or2(eq(risk, 'political'), eq(ce, 'bankruptcy')),
  );
  if (t === T) m |= 64;
  else if (t === U) u = true;
  if (m !== 0) return unknown ? UNDETERMINED << 8 : (4 << 8) | m;
  unknown ||= u;
  return (unknown ? UNDETERMINED : NOT_COVERED) << 8;
}

function result(code: number, payout: () => string | null): HandDecision {
  const level = code >> 8;
  if (level === UNDETERMINED) return { outcome: 'undetermined', deciding: NONE, payout: null };
  if (level === NOT_COVERED) return { outcome: 'not-covered', deciding: NONE, payout: '0' };
  if (level !== 4) return { outcome: OUTCOMES[level]!, deciding: deciding(level, code & 255), payout: '0' };
  const p = payout();
  if (p === null && UNCOMPUTABLE_UNDETERMINED) return { outcome: 'undetermined', deciding: NONE, payout: null };
  return { outcome: 'covered', deciding: deciding(4, code & 255), payout: p };
}

const cmpT3 = (a: number, b: number): T3 => (Number.isNaN(a) || Number.isNaN(b) ? U : a > b ? T : F);

export function decideNexiInt(f: Obj, withPremiums = false): HandDecision {
  const by = f['buyer'],
    po = f['policy'],
    lo = f['loss'];
  const balance = yenInt(by?.guarantee_balance);
  const gLimit = yenInt(by?.guarantee_limit);
  const limit = yenInt(po?.payment_limit);
  const rp = rateBp(po?.coverage_ratio_political);
  const rc = rateBp(po?.coverage_ratio_credit);
  const amount = yenInt(lo?.amount);
  const costUp = yenInt(lo?.change_cost_increase);
  const profit = yenInt(lo?.change_expected_profit);
  // Anything the integers cannot hold exactly decides in decimal.js.
  if (balance < 0 || gLimit < 0 || limit < 0 || rp < 0 || rc < 0 || amount < 0 || costUp < 0 || profit < 0)
    return decideNexiDec(f, withPremiums);
  const n: Numeric = {
    balanceNotPositive: Number.isNaN(balance) ? U : balance <= 0 ? T : F,
    politicalOver100: Number.isNaN(rp) ? U : rp > 10_000 ? T : F,
    creditOver90: Number.isNaN(rc) ? U : rc > 9_000 ? T : F,
    limitOverGuarantee: cmpT3(limit, gLimit),
    changeCostOverProfit: cmpT3(costUp, profit),
  };
  const code = ladder(f, n);
  const d = result(code, () => {
    // The ratio follows loss.risk: without it the payout is unknown, as in yakkan's formula.
    if (lo.risk === undefined) return null;
    const ratio = lo.risk === 'political' ? rp : rc;
    if (Number.isNaN(amount) || Number.isNaN(ratio) || Number.isNaN(limit)) return null;
    // amount × ratio in 1/10,000 yen, exact while it is a safe integer.
    const x = amount * ratio;
    if (!Number.isSafeInteger(x) || !Number.isSafeInteger(limit * 10_000))
      return decimalPayout(new Decimal(amount), new Decimal(ratio).div(10_000), new Decimal(limit));
    return bpText(Math.min(x, limit * 10_000));
  });
  if (withPremiums)
    d.premiums = premiums(
      f['premium'],
      rateDec(po?.coverage_ratio_political),
      rateDec(po?.coverage_ratio_credit),
      yenDec(po?.payment_limit),
    );
  return d;
}

// An amount in 1/10,000 yen as decimal.js writes it: no trailing zeros, no point when whole.
function bpText(x: number): string {
  const yen = Math.floor(x / 10_000);
  const frac = x - yen * 10_000;
  if (frac === 0) return String(yen);
  let fs = String(frac).padStart(4, '0');
  while (fs.charCodeAt(fs.length - 1) === 48) fs = fs.slice(0, -1);
  return `${yen}.${fs}`;
}

const decCmp = (a: Decimal | undefined, b: Decimal | undefined): T3 =>
  a === undefined || b === undefined ? U : a.gt(b) ? T : F;
const RATIO_100 = new Decimal(1);
const RATIO_90 = new Decimal('0.9');

export function decideNexiDec(f: Obj, withPremiums = false): HandDecision {
  const by = f['buyer'],
    po = f['policy'],
    lo = f['loss'];
  const balance = yenDec(by?.guarantee_balance);
  const limit = yenDec(po?.payment_limit);
  const rp = rateDec(po?.coverage_ratio_political);
  const rc = rateDec(po?.coverage_ratio_credit);
  const n: Numeric = {
    balanceNotPositive: balance === undefined ? U : balance.lte(0) ? T : F,
    politicalOver100: decCmp(rp, RATIO_100),
    creditOver90: decCmp(rc, RATIO_90),
    limitOverGuarantee: decCmp(limit, yenDec(by?.guarantee_limit)),
    changeCostOverProfit: decCmp(yenDec(lo?.change_cost_increase), yenDec(lo?.change_expected_profit)),
  };
  const code = ladder(f, n);
  const d = result(code, () => {
    const amount = yenDec(lo.amount);
    if (lo.risk === undefined) return null;
    const ratio = lo.risk === 'political' ? rp : rc;
    return amount === undefined || ratio === undefined || limit === undefined
      ? null
      : decimalPayout(amount, ratio, limit);
  });
  if (withPremiums) d.premiums = premiums(f['premium'], rp, rc, limit);
  return d;
}

function decimalPayout(amount: Decimal, ratio: Decimal, limit: Decimal): string {
  const x = amount.mul(ratio);
  return (x.gt(limit) ? limit : x).toString();
}

// §6 premiums as the product's formulas compute them, in the same order of operations (each
// step at 40 significant digits, half-up). null: an input is missing.
const NO_PREMIUMS: Premiums = { political: null, credit: null, total: null };
function premiums(
  pr: Obj | undefined,
  rp: Decimal | undefined,
  rc: Decimal | undefined,
  limit: Decimal | undefined,
): Premiums {
  if (pr === undefined || rp === undefined || limit === undefined) return NO_PREMIUMS;
  const cpc = yenDec(pr['consideration_per_confirmation']);
  const { confirmations_per_year: cpy, years, political_a: pa, political_b: pb, x1, product_coefficient: coeff } = pr;
  if (cpc === undefined || cpy === undefined || years === undefined) return NO_PREMIUMS;
  const value = cpc.mul(cpy).mul(years);
  const limitRatio = limit.div(value.mul(rp));
  const c = new Decimal(pr['c'] ?? 1);
  const d = new Decimal(pr['d'] ?? 1);
  const round1000 = (x: Decimal) => x.div(1000).toDecimalPlaces(0, Decimal.ROUND_DOWN).mul(1000);
  let political: Decimal | null = null;
  if (pa !== undefined && pb !== undefined && x1 !== undefined && coeff !== undefined) {
    const rate = new Decimal(pa).mul(x1).plus(pb).mul(rp).mul(coeff).mul(c);
    political = round1000(value.mul(rate).div(100).mul(limitRatio));
  }
  let credit: Decimal | null = null;
  const {
    credit_a: ca,
    credit_b: cb,
    pre_shipment_days: pre,
    adjustment_coefficient: adj,
    post_shipment_days: post,
  } = pr;
  if (
    rc !== undefined &&
    ca !== undefined &&
    cb !== undefined &&
    pre !== undefined &&
    adj !== undefined &&
    post !== undefined &&
    coeff !== undefined
  ) {
    const x2 = new Decimal(pre).mul(adj).plus(post).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
    const rate = new Decimal(ca).mul(x2).plus(cb).mul(rc).mul(coeff).mul(c).mul(d);
    credit = round1000(value.mul(rate).div(100).mul(limitRatio));
  }
  return {
    political: political?.toString() ?? null,
    credit: credit?.toString() ?? null,
    total: political && credit ? political.plus(credit).toString() : null,
  };
}
