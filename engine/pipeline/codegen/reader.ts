// The facts reader of one product, generated as JavaScript: its known keys as switch cases, each
// fact's check inline, no per-key map lookups. It gives the very slots the product's fast reader
// (facts.ts readFast) gives, or gives up (undefined), and then readFactSlots reads the input:
// the fast reader, else JSON Schema validation with its errors. Amounts written as pamphlets
// write them (9,000万円, 12,345,678円, USD 5,000) are read here too, to whole units within 15
// digits; anything else it is unsure of it leaves to readFactSlots.
//
// Held equal to the reference reader through the decisions: test/codegen.test.ts and
// test/equivalence.test.ts (decide reads through here, decideByReference does not).
import type { Product, TypeRef } from '../../../dsl/ir.js';
import { isIsoDate, isTime, parsePercent, parsePlainNumber, wellGrouped } from '../../../dsl/literals.js';
import { Duration, Money, dec } from '../money.js';
import { literalValue } from '../values.js';
import * as X from './exact.js';
import { defaultsNeed, inputLimits, Pending, readFactSlots, type FactSlots } from '../facts.js';

export type Reader = (input: unknown) => unknown[] | undefined;

const readers = new WeakMap<Product, Reader | null>();

// The product's slots for this input: through its generated reader when it reads it.
export function readSlots(p: Product, input: unknown): FactSlots {
  let r = readers.get(p);
  if (r === undefined) {
    r = generateReader(p);
    readers.set(p, r);
  }
  const slots = r?.(input);
  return slots ? { slots, errors: [] } : readFactSlots(p, input);
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

// What generated code calls.
const HELPERS = {
  isObject,
  Pending,
  Duration,
  dec,
  limits: inputLimits,
  isIsoDate,
  isTime,
  digits15(s: string): boolean {
    if (s.length === 0 || s.length > 15) return false;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch < 48 || ch > 57) return false;
    }
    return true;
  },
  // An amount as pamphlets write it, as whole units: 9,000万円, 1億2,345万6,789円, 12,345,678円,
  // 12,345,678, USD 5,000. The digits of the amount (at most 15), or undefined.
  pamphlet(s: string, currency: string, maxLength: number): string | undefined {
    if (s.length > maxLength || (s.includes(',') && !wellGrouped(s))) return undefined;
    let i = 0;
    let end = s.length;
    if (s.charCodeAt(0) >= 65 && s.charCodeAt(0) <= 90) {
      // USD 5,000: a code, an optional space, a plain number
      if (s.slice(0, 3) !== currency) return undefined;
      i = s.charCodeAt(3) === 32 ? 4 : 3;
    } else if (s.endsWith('円')) {
      if (currency !== 'JPY') return undefined;
      end--;
    } else if (s.endsWith('ドル')) {
      if (currency !== 'USD') return undefined;
      end -= 2;
    }
    const code = i > 0;
    let total = 0;
    let group = 0;
    let digits = false;
    for (; i < end; i++) {
      const ch = s.charCodeAt(i);
      if (ch >= 48 && ch <= 57) {
        group = group * 10 + (ch - 48);
        digits = true;
        continue;
      }
      if (ch === 44 && digits) continue;
      const unit = code ? 0 : ch === 0x5104 ? 1e8 : ch === 0x4e07 ? 1e4 : ch === 0x5343 ? 1e3 : 0; // 億 万 千
      if (unit === 0 || !digits) return undefined;
      total += group * unit;
      group = 0;
      digits = false;
    }
    if (!digits && total === 0) return undefined;
    total += group;
    return total <= 999_999_999_999_999 ? String(total) : undefined;
  },
  // A decimal or rate as the facts schema admits it: digits with well-grouped commas, an optional
  // fraction, for a rate an optional % or ％; a sign only when the fact is signed.
  decimal(s: string, rate: boolean, signed: boolean, maxLength: number): boolean {
    if (s.length === 0 || s.length > maxLength) return false;
    let i = s.charCodeAt(0) === 45 && signed ? 1 : 0;
    let end = s.length;
    const last = s.charCodeAt(end - 1);
    if (rate && (last === 37 || last === 0xff05)) end--;
    let ch = s.charCodeAt(i);
    if (!(ch >= 48 && ch <= 57)) return false;
    let point = -1;
    for (; i < end; i++) {
      ch = s.charCodeAt(i);
      if (ch >= 48 && ch <= 57) continue;
      if (ch === 44 && point < 0) continue;
      if (ch === 46 && point < 0 && i + 1 < end) {
        point = i;
        continue;
      }
      return false;
    }
    return !s.includes(',') || wellGrouped(s);
  },
};

// Conversions when a pending value is first read: the same values normalize gives.
const convertMoney = new Map<string, (raw: string) => Money>();
const moneyOf = (currency: string) => {
  let f = convertMoney.get(currency);
  if (!f) convertMoney.set(currency, (f = (raw: string) => new Money(dec(raw), currency)));
  return f;
};
// Through the exact scaled form when it holds the value (most do), else the literal parsers.
const convertDecimal = (raw: string) => dec(X.parseScaled(raw) ? X.scaledText(X.M, X.S) : parsePlainNumber(raw)!);
const convertRate = (raw: string) =>
  dec(X.parseScaled(raw) ? X.scaledText(X.M, X.S) : /[%％]$/.test(raw) ? parsePercent(raw)! : parsePlainNumber(raw)!);

interface Node {
  keys: Map<string, Node>;
  slot: number;
  // The variable that says the object was in the input (for defaults that need it).
  seen?: string;
}

// The facts' dotted names as a tree of objects (leaves hold their slots), and its inner objects;
// null when the generated readers cannot read the product: lists, records and restricted values
// stay with the reference reader, and so does a fact that is also the prefix of another.
function factTree(p: Product): { root: Node; nodes: Node[] } | null {
  if (p.facts.some((f) => f.oneOf || f.type.kind === 'list' || f.type.kind === 'record')) return null;
  const root: Node = { keys: new Map(), slot: -1 };
  const nodes: Node[] = [];
  for (let i = 0; i < p.facts.length; i++) {
    const path = p.facts[i]!.name.split('.');
    let node = root;
    for (const k of path.slice(0, -1)) {
      let next = node.keys.get(k);
      if (!next) {
        node.keys.set(k, (next = { keys: new Map(), slot: -1 }));
        nodes.push(next);
      }
      if (next.slot >= 0) return null;
      node = next;
    }
    const last = path[path.length - 1]!;
    if (node.keys.has(last)) return null;
    node.keys.set(last, { keys: new Map(), slot: i });
  }
  return { root, nodes };
}

// The statements that give a left-out fact its default, when the object the default needs
// (facts.ts defaultsNeed) was in the input: that object's node gets a flag variable, `seen<n>`.
function defaultStatements(p: Product, root: Node, nodes: Node[], konst: (x: unknown) => string): string[] {
  const needs = defaultsNeed(p);
  const out: string[] = [];
  p.facts.forEach((f, i) => {
    if (!f.default) return;
    const need = needs[i];
    let cond = '';
    if (need) {
      let node = root;
      for (const k of need) node = node.keys.get(k)!;
      node.seen ??= `seen${nodes.indexOf(node)}`;
      cond = ` && ${node.seen}`;
    }
    out.push(`if (S[${i}] === undefined${cond}) S[${i}] = ${konst(literalValue(f.default))};`);
  });
  return out;
}

function generateReader(p: Product): Reader | null {
  const tree = factTree(p);
  if (!tree) return null;
  const { root, nodes } = tree;
  const consts: unknown[] = [];
  const konst = (x: unknown) => {
    consts.push(x);
    return `K[${consts.length - 1}]`;
  };
  const defaults = defaultStatements(p, root, nodes, konst);
  const flags = nodes.flatMap((n) => (n.seen ? [n.seen] : []));
  const walk = (node: Node, obj: string, depth: number): string[] => {
    const k = `k${depth}`;
    const out = [`for (const ${k} in ${obj}) {`, `switch (${k}) {`];
    for (const [key, ch] of node.keys) {
      const raw = `r${depth}`;
      out.push(`case ${JSON.stringify(key)}: {`, `const ${raw} = ${obj}[${k}];`, `if (${raw} === undefined) break;`);
      if (ch.slot < 0) {
        out.push(`if (!isObject(${raw})) return undefined;`);
        if (ch.seen) out.push(`${ch.seen} = true;`);
        out.push(...walk(ch, raw, depth + 1));
      } else out.push(...leaf(p.facts[ch.slot]!.type, raw, ch.slot, konst));
      out.push('break;', '}');
    }
    out.push('default: return undefined;', '}', '}');
    return out;
  };
  const source = [
    '"use strict";',
    'const { isObject, Pending, Duration, dec, limits, isIsoDate, isTime, digits15, pamphlet, decimal } = H;',
    'return function read(I) {',
    'if (!isObject(I)) return undefined;',
    'const L = limits();',
    `const S = new Array(${p.facts.length});`,
    ...flags.map((f) => `let ${f} = false;`),
    ...walk(root, 'I', 0),
    ...defaults,
    'return S;',
    '};',
  ].join('\n');
  return new Function('H', 'K', source)(HELPERS, consts) as Reader;
}

// One fact's check and value, as readFast's leaf for its type (facts.ts fastLeaf).
function leaf(t: TypeRef, raw: string, slot: number, konst: (x: unknown) => string): string[] {
  const set = (v: string) => [`S[${slot}] = ${v};`];
  switch (t.kind) {
    case 'boolean':
      return [`if (typeof ${raw} !== 'boolean') return undefined;`, ...set(raw)];
    case 'text':
      return [`if (typeof ${raw} !== 'string' || ${raw}.length > L.maxTextLength) return undefined;`, ...set(raw)];
    case 'enum': {
      const values = [...new Set(t.values)];
      return [
        `if (${values.map((v) => `${raw} !== ${JSON.stringify(v)}`).join(' && ')}) return undefined;`,
        ...set(raw),
      ];
    }
    case 'integer':
      return [
        `if (!Number.isSafeInteger(${raw}) || ${raw} < ${t.signed ? -Number.MAX_SAFE_INTEGER : 0}) return undefined;`,
        ...set(`new Pending(${raw}, dec)`),
      ];
    case 'money': {
      const conv = konst(moneyOf(t.currency));
      return [
        `if (typeof ${raw} !== 'string') return undefined;`,
        `if (digits15(${raw})) S[${slot}] = new Pending(${raw}, ${conv});`,
        'else {',
        `const d = pamphlet(${raw}, ${JSON.stringify(t.currency)}, L.maxNumberLength);`,
        'if (d === undefined) return undefined;',
        `S[${slot}] = new Pending(d, ${conv});`,
        '}',
      ];
    }
    case 'decimal':
    case 'rate': {
      const conv = konst(t.kind === 'rate' ? convertRate : convertDecimal);
      const check = `decimal(${raw}, ${t.kind === 'rate'}, ${t.signed === true}, L.maxNumberLength)`;
      return [`if (typeof ${raw} !== 'string' || !${check}) return undefined;`, ...set(`new Pending(${raw}, ${conv})`)];
    }
    case 'date':
      return [`if (typeof ${raw} !== 'string' || !isIsoDate(${raw})) return undefined;`, ...set(raw)];
    case 'time':
      return [`if (typeof ${raw} !== 'string' || !isTime(${raw})) return undefined;`, ...set(raw)];
    case 'duration':
      return [
        `if (!Number.isSafeInteger(${raw}) || ${raw} < 0) return undefined;`,
        ...set(`new Duration(${raw}, ${JSON.stringify(t.unit)})`),
      ];
    default:
      return ['return undefined;'];
  }
}

// ---- the same reader over the JSON text of the facts (an NDJSON line): JSON.parse, its repeated-key
// check and the reader above in one pass, with no objects built. It reads only what it is sure
// of: a line with a backslash, a repeated or unknown key, a null, a list, anything past the size
// limit, or any value the reader above would refuse gives undefined, and the caller then parses
// the line and reads it the usual way (which also gives the right error). Where it reads, the
// slots are those readSlots(p, JSON.parse(line)) gives.
export type LineReader = (text: string) => unknown[] | undefined;

const lineReaders = new WeakMap<Product, LineReader | null>();

export function lineReader(p: Product): LineReader | null {
  let r = lineReaders.get(p);
  if (r === undefined) {
    r = generateLineReader(p);
    lineReaders.set(p, r);
  }
  return r;
}

const LINE_HELPERS = {
  ...HELPERS,
  // Past JSON whitespace.
  ws(t: string, i: number): number {
    let c = t.charCodeAt(i);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = t.charCodeAt(++i);
    return i;
  },
  // The end of a JSON number starting at i, or -1 when it is not one.
  numEnd(t: string, i: number): number {
    let c = t.charCodeAt(i);
    if (c === 45) c = t.charCodeAt(++i);
    if (c === 48) c = t.charCodeAt(++i);
    else if (c >= 49 && c <= 57) while (c >= 48 && c <= 57) c = t.charCodeAt(++i);
    else return -1;
    if (c === 46) {
      c = t.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) return -1;
      while (c >= 48 && c <= 57) c = t.charCodeAt(++i);
    }
    if (c === 101 || c === 69) {
      c = t.charCodeAt(++i);
      if (c === 43 || c === 45) c = t.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) return -1;
      while (c >= 48 && c <= 57) c = t.charCodeAt(++i);
    }
    return i;
  },
  // A string JSON.parse would refuse unescaped (a control character).
  hasControl(t: string, from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (t.charCodeAt(i) < 32) return true;
    return false;
  },
};

function generateLineReader(p: Product): LineReader | null {
  const tree = factTree(p);
  if (!tree) return null;
  const { root, nodes } = tree;
  // Every object has a flag (F, reset per line): met twice is a repeated key; defaults read them
  // as generateReader reads its own.
  nodes.forEach((n, i) => (n.seen = `F[${i}]`));
  const consts: unknown[] = [];
  const konst = (x: unknown) => {
    consts.push(x);
    return `K[${consts.length - 1}]`;
  };
  const defaults = defaultStatements(p, root, nodes, konst);
  let depth = 0;
  // Each nested object is its own function (t, i, S, L) => i past its '}', or -1: one function of
  // the whole tree took TurboFan ~0.8 s to compile (NEXI), during which a batch ran unoptimised.
  const nested: string[] = [];
  // An object at t[i] === '{'; leaves i past its '}'.
  const object = (node: Node): string[] => {
    const d = depth++;
    const out = [
      'i = ws(t, i + 1);',
      'if (t.charCodeAt(i) !== 125) for (;;) {',
      'if (t.charCodeAt(i) !== 34) return undefined;',
      `const e${d} = t.indexOf('"', i + 1);`,
      `if (e${d} < 0) return undefined;`,
      // The key by its length, then its text where it starts: no string made for it.
      `let w${d} = -1;`,
      `switch (e${d} - i - 1) {`,
    ];
    const keys = [...node.keys.keys()];
    for (const len of new Set(keys.map((k) => k.length))) {
      const same = keys.flatMap((k, at) => (k.length === len ? [[k, at] as const] : []));
      out.push(
        `case ${len}:`,
        same.map(([k, at]) => `if (t.startsWith(${JSON.stringify(k)}, i + 1)) w${d} = ${at};`).join(' else '),
        'break;',
      );
    }
    out.push(
      '}',
      `i = ws(t, e${d} + 1);`,
      'if (t.charCodeAt(i) !== 58) return undefined;',
      'i = ws(t, i + 1);',
      `switch (w${d}) {`,
    );
    for (const [at, [, ch]] of [...node.keys].entries()) {
      out.push(`case ${at}: {`);
      if (ch.slot < 0) {
        const o = `o${nodes.indexOf(ch)}`;
        out.push(
          `if (${ch.seen} || t.charCodeAt(i) !== 123) return undefined;`,
          `${ch.seen} = 1;`,
          `i = ${o}(t, i, S, L);`,
          'if (i < 0) return undefined;',
        );
        const body = object(ch).map((l) => l.replaceAll('return undefined;', 'return -1;'));
        nested.push(`function ${o}(t, i, S, L) {`, ...body, 'return i;', '}');
      } else {
        const raw = `r${ch.slot}`;
        out.push(
          `if (S[${ch.slot}] !== undefined) return undefined;`,
          `let ${raw};`,
          'const c = t.charCodeAt(i);',
          'if (c === 34) {',
          "const e = t.indexOf('\"', i + 1);",
          'if (e < 0) return undefined;',
          ...(p.facts[ch.slot]!.type.kind === 'text' ? ['if (hasControl(t, i + 1, e)) return undefined;'] : []),
          `${raw} = t.slice(i + 1, e);`,
          'i = e + 1;',
          "} else if (c === 116 && t.startsWith('true', i)) {",
          `${raw} = true;`,
          'i += 4;',
          "} else if (c === 102 && t.startsWith('false', i)) {",
          `${raw} = false;`,
          'i += 5;',
          '} else {',
          'const e = numEnd(t, i);',
          'if (e < 0) return undefined;',
          `${raw} = Number(t.slice(i, e));`,
          'i = e;',
          '}',
          ...leaf(p.facts[ch.slot]!.type, raw, ch.slot, konst),
        );
      }
      out.push('break;', '}');
    }
    out.push(
      'default: return undefined;',
      '}',
      'i = ws(t, i);',
      'const c = t.charCodeAt(i);',
      'if (c === 125) break;',
      'if (c !== 44) return undefined;',
      'i = ws(t, i + 1);',
      '}',
      'i++;',
    );
    depth--;
    return out;
  };
  const body = object(root); // first: it writes the nested functions
  const source = [
    '"use strict";',
    'const { Pending, Duration, dec, limits, isIsoDate, isTime, digits15, pamphlet, decimal, ws, numEnd, hasControl } = H;',
    `const F = new Uint8Array(${nodes.length});`,
    ...nested,
    'return function read(t) {',
    'const L = limits();',
    "if (t.length > L.maxInputBytes || t.indexOf('\\\\') >= 0) return undefined;",
    'let i = ws(t, 0);',
    'if (t.charCodeAt(i) !== 123) return undefined;',
    `const S = new Array(${p.facts.length});`,
    'F.fill(0);',
    ...body,
    'if (ws(t, i) !== t.length) return undefined;',
    ...defaults,
    'return S;',
    '};',
  ].join('\n');
  return new Function('H', 'K', source)(LINE_HELPERS, consts) as LineReader;
}
