// The studio where no pamphlet folder is configured: it says so (the pamphlet pane shows the
// session's answer) and everything else still works; quotes are simply not checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.js';
import { studioPlugin } from '../studio/index.js';
import { PRODUCTS } from './helpers.js';

// Read lazily, on the first request: set before any.
process.env['YAKKAN_SOURCES'] = join(PRODUCTS, 'no-such-folder');

describe('the studio without a pamphlet folder', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({ products: [join(PRODUCTS, 'nexi-ip-license')], watch: false });
    await app.register(studioPlugin, { assets: join(PRODUCTS, 'no-such-assets') });
    await app.ready();
  });
  afterAll(() => app.close());

  it('says no folder is configured, and still gives the files', async () => {
    const session = (await app.inject({ url: '/studio/api/session' })).json();
    expect(session.sources).toMatchObject({ configured: false, from: 'YAKKAN_SOURCES' });
    expect((await app.inject({ url: '/studio/api/seeds' })).json()).toEqual({ files: null });
    const files = (await app.inject({ url: '/studio/api/products/nexi-ip-license/files' })).json();
    expect(files.files.map((f: { name: string }) => f.name)).toEqual(['product.yk']);
  });
});
