// Three-valued evaluation. A value that needs a missing fact is an Unknown carrying exactly the
// facts it needs; `and`/`or` short-circuit as Kleene logic, so a fact that cannot change the
// result is never asked for.
export class Unknown {
  private sortedCache: string[] | undefined;
  constructor(readonly facts: string[]) {}
  // Shared Unknowns (one per missing fact, made at compile time) are reused across decisions.
  sorted(): string[] {
    return (this.sortedCache ??= [...this.facts].sort());
  }
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
  const s = new Set<string>();
  for (const v of vs) if (v instanceof Unknown) for (const f of v.facts) s.add(f);
  return new Unknown([...s]);
}

// mergeUnknown([a, b]) without the array when only one is unknown.
export function merge2(a: unknown, b: unknown): Unknown {
  if (!(a instanceof Unknown)) return b as Unknown;
  if (!(b instanceof Unknown)) return a;
  return mergeUnknown([a, b]);
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
