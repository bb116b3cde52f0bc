// The studio in the browser: the session and the pamphlets from the server, one language
// service for every file opened (the same service `yakkan lsp` serves to editors), then the app.
import { html, render } from 'htm/preact';
import { LanguageService, memoryHost } from '../../language/index.js';
import { api, ApiError, onTokenNeeded } from './api.js';
import { WORDS } from './i18n.js';
import type { Session } from './types.js';
import { App } from './views/app.js';

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  const w = WORDS[localStorage.getItem('yakkan-studio-lang') === 'en' ? 'en' : 'ja'];
  onTokenNeeded(async () => prompt(w.tokenPrompt) ?? undefined);
  try {
    const session = await api<Session>('GET', '/studio/api/session');
    const seeds = (await api<{ files: Record<string, string> | null }>('GET', '/studio/api/seeds')).files;
    const service = new LanguageService(memoryHost(seeds ?? undefined));
    render(html`<${App} service=${service} session=${session} seeds=${seeds} />`, root);
  } catch (e) {
    root.textContent = `${w.error}: ${e instanceof ApiError ? e.problem.detail : String(e)}`;
  }
}

void start();
