// Three-valued evaluation. A value that needs a missing fact is an Unknown carrying exactly the
// facts it needs; `and`/`or` short-circuit as Kleene logic, so a fact that cannot change the
// result is never asked for.
export class Unknown {
  private sortedCache: string[] | undefined;
  // When made by merging: the Unknowns merged, whose sorted lists make this one's sorted list by
  // a linear merge (a formula's Unknown grows operand by operand; sorting each anew was the
  // largest single cost of the full trace).
  private readonly parts: readonly Unknown[] | undefined;
  // Shared Unknowns (made at compile time, see shared(), or merged from shared ones) remember
  // what they merged into with another shared one: a formula over missing facts merges the same
  // shared Unknowns in every decision, so it gets the same merged Unknown (and its sorted list)
  // back instead of building both again.
  private merges: Map<Unknown, Unknown> | undefined;
  private isShared = false;
  constructor(
    readonly facts: string[],
    parts?: readonly Unknown[],
  ) {
    this.parts = parts;
    // Made while a product compiles (conditions, tables, references): kept for its lifetime.
    if (compiling > 0) this.isShared = true;
  }
  // Every Unknown made inside fn is shared (see compile.ts: nothing decides while compiling).
  static sharedWhile<T>(fn: () => T): T {
    compiling++;
    try {
      return fn();
    } finally {
      compiling--;
    }
  }
  // An Unknown made once and kept (per missing fact, at compile time); Unknowns made per decision
  // must not be shared, or the merge caches would keep them alive.
  static shared(facts: string[]): Unknown {
    const u = new Unknown(facts);
    u.isShared = true;
    return u;
  }
  // Shared Unknowns (one per missing fact, made at compile time) are reused across decisions.
  sorted(): string[] {
    if (this.sortedCache !== undefined) return this.sortedCache;
    const parts = this.parts;
    if (parts === undefined) return (this.sortedCache = [...this.facts].sort());
    // Two parts or more (see mergeUnknown), so acc is a new list, never a part's own.
    let acc = parts[0]!.sorted();
    for (let k = 1; k < parts.length; k++) acc = mergeSorted(acc, parts[k]!.sorted());
    return (this.sortedCache = acc);
  }
  // The merge of two Unknowns (this first), from the cache when both are shared.
  static merged(a: Unknown, b: Unknown): Unknown {
    if (!a.isShared || !b.isShared) return new Unknown(union([a, b]), [a, b]);
    const hit = a.merges?.get(b);
    if (hit !== undefined) return hit;
    const u = new Unknown(union([a, b]), [a, b]);
    // Bounded: a stream of decisions missing ever new sets of facts stops adding shared ones.
    if (sharedMerges < MAX_SHARED_MERGES) {
      sharedMerges++;
      u.isShared = true;
      (a.merges ??= new Map()).set(b, u);
    }
    return u;
  }
}
// How many compiles are under way (compile() does not decide, so no per-decision Unknown is made
// meanwhile).
let compiling = 0;
// Process-wide, and only a bound: whether a merge is cached never changes its facts.
let sharedMerges = 0;
const MAX_SHARED_MERGES = 50_000;

// Two sorted lists as one, each string once: what sorting their union gives (< is the order
// Array.prototype.sort uses for strings: UTF-16 code units).
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  let last: string | undefined;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (out.length === 0 || x !== last) out.push((last = x));
  }
  return out;
}

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

// The Unknown of several operands: the facts any of them needs. Evaluation order is
// deterministic, so this order is too; lists shown to people are sorted where the decision is
// assembled.
export function mergeUnknown(vs: readonly unknown[]): Unknown {
  // Usually one operand is unknown: return it as it is, without building a set.
  let only: Unknown | undefined;
  let count = 0;
  for (const v of vs)
    if (v instanceof Unknown) {
      only = v;
      count++;
    }
  if (count === 1) return only!;
  if (count === 0) return new Unknown([]);
  // Merged pairwise from the first: the same facts in the same order as merging all at once.
  let acc: Unknown | undefined;
  for (const v of vs) if (v instanceof Unknown) acc = acc === undefined ? v : Unknown.merged(acc, v);
  return acc!;
}

// The facts of the Unknowns in order of first appearance, each once (as a Set would keep them);
// a scan of the short lists is cheaper than a Set until they grow.
function union(parts: readonly Unknown[]): string[] {
  let n = 0;
  for (const u of parts) n += u.facts.length;
  if (n > 32) {
    const s = new Set<string>();
    for (const u of parts) for (const f of u.facts) s.add(f);
    return [...s];
  }
  const out: string[] = [];
  for (const u of parts) for (const f of u.facts) if (!out.includes(f)) out.push(f);
  return out;
}

// mergeUnknown([a, b]) without the array when only one is unknown.
export function merge2(a: unknown, b: unknown): Unknown {
  if (!(a instanceof Unknown)) return b as Unknown;
  if (!(b instanceof Unknown)) return a;
  return Unknown.merged(a, b);
}

// Kleene and (dominant false) / or (dominant true), short-circuiting, without allocating unless
// more than one operand is unknown.
export function kleene<S>(dominant: boolean, parts: readonly ((s: S) => unknown)[], s: S): boolean | Unknown {
  let first: Unknown | undefined;
  let more: Unknown[] | undefined;
  for (let i = 0; i < parts.length; i++) {
    const v = parts[i]!(s);
    if (v instanceof Unknown) {
      if (first === undefined) first = v;
      else (more ??= [first]).push(v);
    } else if (v === dominant) return dominant;
  }
  return more ? mergeUnknown(more) : (first ?? !dominant);
}
