// Without the pamphlets, quotes cannot be checked: the check says so and everything else runs.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT } from './helpers.js';

describe('no seed folder', () => {
  it('check passes and names the missing folder', () => {
    const out = execFileSync('node', ['bin/yakkan.js', 'check', 'products/nexi-ip-license'], {
      cwd: ROOT,
      env: { ...process.env, YAKKAN_SOURCES: join(ROOT, 'no-such-folder') },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('0 errors');
  });
  it('sources --json lists every citation with its quote', () => {
    const out = execFileSync('node', ['bin/yakkan.js', 'sources', '--json', 'products/nexi-ip-license'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const cites = JSON.parse(out) as { product: string; rule: string; quote: string }[];
    expect(cites.length).toBeGreaterThan(40);
    expect(cites.every((c) => c.product === 'nexi-ip-license' && c.quote.length > 0)).toBe(true);
    expect(cites.some((c) => c.rule === 'related-party-credit')).toBe(true);
  });
});
