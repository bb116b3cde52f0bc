// The studio: a browser workbench for product managers and underwriters (docs/studio/, the
// README's Studio section). studio/app/ is the browser app (CodeMirror over the language
// service, the pamphlet beside the rules, the claim form, cases, revisions), bundled by
// studio/build.ts; studio/server/ is the Fastify plugin that serves it beside the decision API.
export { studioPlugin, type StudioOptions, STUDIO_PATH, defaultAssets } from './server/plugin.js';
