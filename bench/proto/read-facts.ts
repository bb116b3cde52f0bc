// Prototype for the lead (docs/performance.md, "Findings for the evaluator"): engine/facts.ts
// readFacts with the per-fact work done once per product instead of once per decision —
// the dotted path split, the JSON pointer string, and default values (immutable, so shareable).
// Invalid input falls back to the engine's readFacts, so error reports stay identical.
import { Ajv, type ValidateFunction } from 'ajv';
import type { FieldDecl, Product, TypeRef } from '../../dsl/ir.js';
import { isIsoDate, parseDuration, parseJapaneseNumber, parseMoney, parsePercent, parsePlainNumber } from '../../dsl/literals.js';
import { Money, Duration, dec } from '../../engine/money.js';
import { literalValue } from '../../engine/values.js';
import { equals } from '../../engine/operators.js';
import { factsSchema, readFacts, type ReadFacts } from '../../engine/facts.js';

interface Plan {
  validate: ValidateFunction;
  fields: { f: FieldDecl; path: string[]; dflt: unknown; oneOf?: unknown[] }[];
}

const ajv = new Ajv({ allErrors: true, strict: false });
const plans = new WeakMap<Product, Plan>();

function plan(p: Product): Plan {
  let pl = plans.get(p);
  if (!pl) {
    const { $id: _id, ...schema } = factsSchema(p);
    pl = {
      validate: ajv.compile(schema),
      fields: p.facts.map((f) => ({
        f, path: f.name.split('.'), dflt: f.default ? literalValue(f.default) : undefined,
        ...(f.oneOf ? { oneOf: f.oneOf.map(literalValue) } : {}),
      })),
    };
    plans.set(p, pl);
  }
  return pl;
}

export function readFactsFast(p: Product, input: unknown): ReadFacts {
  const pl = plan(p);
  if (!pl.validate(input)) return readFacts(p, input);
  const values = new Map<string, unknown>();
  for (const { f, path, dflt, oneOf } of pl.fields) {
    let raw: unknown = input;
    for (let i = 0; i < path.length && raw !== undefined; i++) raw = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[path[i]!] : undefined;
    if (raw === undefined) {
      if (dflt !== undefined) values.set(f.name, dflt);
      continue;
    }
    const val = normalize(f.type, raw);
    if (val === undefined || (oneOf && !oneOf.some((o) => equals(f.type)(o, val)))) return readFacts(p, input);
    values.set(f.name, val);
  }
  return { values, errors: [] };
}

// engine/facts.ts normalize, minus error reporting (an error re-runs the engine's reader).
function normalize(t: TypeRef, raw: unknown): unknown {
  switch (t.kind) {
    case 'boolean': case 'text': case 'enum': return raw;
    case 'integer': return dec(raw as number);
    case 'decimal': { const s = parsePlainNumber(raw as string); return s === undefined ? undefined : dec(s); }
    case 'rate': {
      const s = String(raw).match(/[%％]$/) ? parsePercent(raw as string) : parsePlainNumber(raw as string);
      return s === undefined ? undefined : dec(s);
    }
    case 'money': {
      const s = String(raw).trim();
      const m = parseMoney(s) ?? (parsePlainNumber(s) !== undefined ? { amount: parsePlainNumber(s)!, currency: t.currency } : undefined) ??
        (parseJapaneseNumber(s) !== undefined ? { amount: parseJapaneseNumber(s)!, currency: t.currency } : undefined);
      return !m || m.currency !== t.currency ? undefined : new Money(dec(m.amount), m.currency);
    }
    case 'date': return isIsoDate(raw as string) ? raw : undefined;
    case 'duration': {
      if (typeof raw === 'number') return new Duration(raw, t.unit);
      const d = parseDuration(raw as string);
      return !d || d.unit !== t.unit ? undefined : new Duration(d.value, d.unit);
    }
    case 'list': {
      const out: unknown[] = [];
      for (const x of raw as unknown[]) { const v = normalize(t.of, x); if (v === undefined) return undefined; out.push(v); }
      return out;
    }
    case 'record': {
      const out: Record<string, unknown> = {};
      for (const f of t.fields) {
        const x = (raw as Record<string, unknown>)[f.name];
        if (x === undefined) { if (f.default) out[f.name] = literalValue(f.default); continue; }
        const v = normalize(f.type, x);
        if (v === undefined) return undefined;
        out[f.name] = v;
      }
      return out;
    }
  }
}

// Schema validation alone, to split the reader's cost.
export function validateOnly(p: Product, input: unknown): boolean {
  return plan(p).validate(input) as boolean;
}
