// The studio as a Fastify plugin on the decision service (server/app.ts): the browser app at
// /studio/, and under /studio/api/ only what the service's own /v1 routes do not give (a
// product's files, saving them, the pamphlets, try-outs, case files, edition diffs). Products,
// their facts schemas and citations come from /v1, so the studio and the API cannot disagree.
// `yakkan studio` and `yakkan serve --studio` are this plugin on the same server.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { diffRevisions, DiffUsageError, renderDiff } from '../../engine/index.js';
import { loadSources, projectRoot, sourcesDirSetting } from '../../engine/loading/sources.js';
import type { Yakkan } from '../../server/app.js';
import { checkItems } from '../../server/limits.js';
import { fail } from '../../server/problem.js';
import { productEntry } from '../../server/routes/products.js';
import { checkSource } from '../../server/routes/check.js';
import type { ProductEntry } from '../../server/products.js';
import { runCases, writeCase, type NewCase } from './cases.js';
import {
  caseFiles,
  caseFolder,
  exampleFacts,
  productFolder,
  readProductFiles,
  writableTarget,
  writeAtomically,
  YK_NAME,
} from './files.js';
import { tryClaim, type Draft } from './try.js';

export interface StudioOptions {
  // The server requires a bearer token (buildApp's `token`), so every request reaching a route
  // has shown it: saving is then allowed from other machines too. Without a token, only from
  // this one.
  tokenRequired?: boolean;
  // The built browser app (default dist/studio/public, written by `npm run build`).
  assets?: string;
}

export const STUDIO_PATH = '/studio/';

export function defaultAssets(): string {
  return join(projectRoot(), 'dist', 'studio', 'public');
}

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

// CodeMirror writes its styles into <style> elements, hence 'unsafe-inline' for styles only.
const CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

const ID = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };
const DATE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';

function isLoopback(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\./.test(ip);
}

function good(entry: ProductEntry): NonNullable<ProductEntry['good']> {
  if (!entry.good)
    fail(
      'product-unavailable',
      503,
      `${entry.id} does not check, so it cannot decide: GET /v1/products/${entry.id} says why`,
    );
  return entry.good;
}

export async function studioPlugin(app: FastifyInstance, o: StudioOptions = {}): Promise<void> {
  const y: Yakkan = app.yakkan;
  const assets = o.assets ?? defaultAssets();
  if (!o.assets && !existsSync(join(assets, 'index.html'))) await buildMissing(app, assets);
  const entryOf = (req: FastifyRequest) => productEntry(y, (req.params as { id: string }).id);
  const mayWrite = (req: FastifyRequest): void => {
    if (o.tokenRequired || isLoopback(req.ip)) return;
    fail(
      'unauthorized',
      403,
      "saving from another machine needs the server's token: start it with YAKKAN_TOKEN or --token-file",
    );
  };

  const page = async (_req: FastifyRequest, reply: FastifyReply) => sendAsset(reply, assets, 'index.html');
  app.get('/', { config: { public: true } }, async (_req, reply) => reply.redirect(STUDIO_PATH));
  app.get('/studio', { config: { public: true } }, async (_req, reply) => reply.redirect(STUDIO_PATH));
  app.get(STUDIO_PATH, { config: { public: true } }, page);
  app.get('/studio/:asset', { config: { public: true } }, async (req, reply) => {
    const name = (req.params as { asset: string }).asset;
    if (!(name in ASSETS)) fail('not-found', 404, `no studio file ${name}`);
    return sendAsset(reply, assets, name);
  });

  app.get('/studio/api/session', async (req) => {
    const setting = sourcesDirSetting();
    return {
      sources: { configured: loadSources() !== undefined, dir: setting.dir, from: setting.from },
      saving:
        o.tokenRequired || isLoopback(req.ip)
          ? { allowed: true }
          : { allowed: false, why: "saving from another machine needs the server's token" },
    };
  });

  // Every pamphlet, for the quote check of the language service in the browser and the pamphlet pane.
  app.get('/studio/api/seeds', async () => {
    const s = loadSources();
    return s ? { files: Object.fromEntries(s.files) } : { files: null };
  });

  app.get('/studio/api/products/:id/files', { schema: { params: ID } }, async (req) => {
    const entry = entryOf(req);
    return {
      id: entry.id,
      files: readProductFiles(entry),
      example: exampleFacts(entry),
      cases: caseFiles(entry).map((f) => basename(f)),
    };
  });

  app.put(
    '/studio/api/products/:id/files/:name',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id', 'name'],
          properties: { id: { type: 'string' }, name: { type: 'string' } },
        },
        body: {
          type: 'object',
          required: ['source'],
          additionalProperties: false,
          properties: { source: { type: 'string' } },
        },
      },
    },
    async (req) => {
      mayWrite(req);
      const entry = entryOf(req);
      const { name } = req.params as { name: string };
      const target = writableTarget(entry, name, YK_NAME);
      // The studio edits a product's files; a new edition is a file made beside them on purpose.
      if (!existsSync(target))
        fail('not-found', 404, `${entry.id} has no file ${name}: the studio saves the product's own files`);
      const { source } = req.body as { source: string };
      const check = checkSource(source, name);
      writeAtomically(target, source);
      // The whole product is loaded again: one that does not check keeps serving its last good version.
      const reload = y.products.reload(entry.path);
      return { saved: name, activated: reload.ok, reload, check };
    },
  );

  app.post(
    '/studio/api/products/:id/try',
    {
      schema: {
        params: ID,
        body: {
          type: 'object',
          required: ['facts'],
          additionalProperties: false,
          properties: {
            facts: { type: 'object' },
            as_of: { type: 'string', pattern: DATE },
            draft: {
              type: 'object',
              required: ['file', 'source'],
              additionalProperties: false,
              properties: { file: { type: 'string' }, source: { type: 'string' } },
            },
          },
        },
      },
    },
    async (req) => {
      const entry = entryOf(req);
      const b = req.body as { facts: Record<string, unknown>; as_of?: string; draft?: Draft };
      const { product } = good(entry);
      checkItems(product, b.facts, y.limits.maxItems);
      return tryClaim(product, b.facts, b.as_of, b.draft);
    },
  );

  app.get('/studio/api/products/:id/cases', { schema: { params: ID } }, async (req) => {
    const entry = entryOf(req);
    const runs = await runCases(entry, good(entry).product);
    return { passed: runs.filter((r) => r.ok).length, failed: runs.filter((r) => !r.ok).length, cases: runs };
  });

  app.post(
    '/studio/api/products/:id/cases',
    {
      schema: {
        params: ID,
        body: {
          type: 'object',
          required: ['file', 'title', 'facts', 'expect'],
          additionalProperties: false,
          properties: {
            file: { type: 'string' },
            title: { type: 'string', minLength: 1 },
            facts: { type: 'object' },
            as_of: { type: 'string', pattern: DATE },
            expect: { type: 'object' },
          },
        },
      },
    },
    async (req, reply) => {
      mayWrite(req);
      const entry = entryOf(req);
      const run = writeCase(entry, good(entry).product, req.body as NewCase);
      return reply.code(201).send(run);
    },
  );

  app.get(
    '/studio/api/products/:id/diff',
    {
      schema: {
        params: ID,
        querystring: {
          type: 'object',
          required: ['old', 'new'],
          additionalProperties: false,
          properties: {
            old: { type: 'string', pattern: YK_NAME.source },
            new: { type: 'string', pattern: YK_NAME.source },
          },
        },
      },
    },
    async (req) => {
      const entry = entryOf(req);
      const q = req.query as { old: string; new: string };
      const folder = productFolder(entry);
      for (const f of [q.old, q.new])
        if (!existsSync(join(folder, f))) fail('not-found', 404, `${entry.id} has no file ${f}`);
      const cases = caseFolder(entry);
      try {
        const report = await diffRevisions(join(folder, q.old), join(folder, q.new), {
          ...(cases && existsSync(cases) ? { cases } : {}),
          jobs: 1,
          examples: 5,
        });
        return { report, text: renderDiff(report) };
      } catch (e) {
        if (e instanceof DiffUsageError) fail('invalid-request', 422, e.message);
        throw e;
      }
    },
  );
}

// A clone compiled with tsc alone has no bundle yet: build it now when esbuild is at hand (a
// development install); an installed package always has its bundle, built before packing.
async function buildMissing(app: FastifyInstance, assets: string): Promise<void> {
  try {
    const { buildStudio } = await import('../build.js');
    await buildStudio(assets);
  } catch (e) {
    app.log.warn({ err: e }, 'the studio bundle is missing and could not be built: run npm run build');
  }
}

function sendAsset(reply: FastifyReply, dir: string, name: string): FastifyReply {
  const file = join(dir, name);
  if (!existsSync(file)) {
    fail('not-found', 404, `the studio is not built (no ${file}): run \`npm run build\` in the yakkan folder`);
  }
  reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache');
  if (name === 'index.html') reply.header('content-security-policy', CSP);
  return reply.type(ASSETS[name]!).send(readFileSync(file));
}
