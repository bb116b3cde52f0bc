// Compare with a golden file; UPDATE_GOLDEN=1 (or a missing file) writes it instead, except
// under CI (CI=true), where a missing golden file is a failure: it would pass by writing itself.
import { expect } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

export function golden(file: string, actual: string): void {
  const missing = !existsSync(file);
  if (missing && isCi()) {
    expect.fail(
      `golden file ${relative(process.cwd(), file)} is missing: run the tests with UPDATE_GOLDEN=1 and commit it`,
    );
  }
  if (process.env['UPDATE_GOLDEN'] === '1' || missing) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

// CI services set CI to "true" (or "1").
export function isCi(): boolean {
  const ci = (process.env['CI'] ?? '').toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}
