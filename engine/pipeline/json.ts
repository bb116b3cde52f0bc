// One way to print JSON, so the same decision is the same bytes: keys in the order the
// engine builds them (never from hash iteration), two-space indent, no trailing spaces.
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, null, 2);
}
