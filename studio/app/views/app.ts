// The studio's frame: the header (language switch), the product list, and the workbench of the
// product chosen. The address keeps the place (#/p/<product>/<file>), so reloading the page or
// sharing the link opens the same file.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { LanguageService } from '../../../language/index.js';
import { api, ApiError } from '../api.js';
import { type Lang, WORDS, type Words } from '../i18n.js';
import type { ProductSummary, Session } from '../types.js';
import { Workbench } from './workbench.js';

interface Route {
  product?: string;
  file?: string;
}

function route(): Route {
  const m = /^#\/p\/([^/]+)(?:\/(.+))?$/.exec(location.hash);
  if (!m) return {};
  return { product: decodeURIComponent(m[1]!), ...(m[2] ? { file: decodeURIComponent(m[2]) } : {}) };
}

const LANG_KEY = 'yakkan-studio-lang';

export function App({
  service,
  session,
  seeds,
}: {
  service: LanguageService;
  session: Session;
  seeds: Record<string, string> | null;
}) {
  const [lang, setLang] = useState<Lang>(localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'ja');
  const [where, setWhere] = useState<Route>(route());
  useEffect(() => {
    const on = () => setWhere(route());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang]);
  const w = WORDS[lang];
  return html`
    <header class="top">
      <a href="#/" class="brand">約款 <span>${w.brand}</span></a>
      <span class="grow"></span>
      <button type="button" class="lang" onClick=${() => setLang(lang === 'ja' ? 'en' : 'ja')}
        lang=${lang === 'ja' ? 'en' : 'ja'}>${w.switchLang}</button>
    </header>
    <main>
      ${
        where.product
          ? html`<${Workbench} key=${where.product} w=${w} lang=${lang} id=${where.product} file=${where.file}
            service=${service} session=${session} seeds=${seeds}
            openFile=${(f: string) => {
              location.hash = `#/p/${encodeURIComponent(where.product!)}/${encodeURIComponent(f)}`;
            }} />`
          : html`<${ProductList} w=${w} lang=${lang} />`
      }
    </main>`;
}

function ProductList({ w, lang }: { w: Words; lang: Lang }) {
  const [products, setProducts] = useState<ProductSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    api<{ products: ProductSummary[] }>('GET', '/v1/products').then(
      (a) => setProducts(a.products),
      (x) => setError(x instanceof ApiError ? x.problem.detail : String(x)),
    );
  }, []);
  return html`
    <div class="product-list">
      <h1>${w.products}</h1>
      <p class="muted">${w.productsIntro}</p>
      ${error ? html`<div class="message error" role="alert">${error}</div>` : ''}
      <ul class="cards">
        ${(products ?? []).map((p) => {
          const name = lang === 'en' ? (p.name.en ?? p.name.ja) : (p.name.ja ?? p.name.en);
          return html`
            <li class="card">
              <a href=${`#/p/${encodeURIComponent(p.id)}`} class="card-link">
                <strong>${name ?? p.id}</strong>
                <code>${p.id}</code>
                <span class=${`status ${p.status}`}>${w.status[p.status] ?? p.status}</span>
                <span class="muted small">${w.revisions}: ${p.revisions
                  .map((r) => `${r.revision}${r.inForce.from ? ` (${w.from} ${period(r.inForce)})` : ''}`)
                  .join(', ')}</span>
              </a>
            </li>`;
        })}
      </ul>
    </div>`;
}

function period(f: { from?: string; until?: string }): string {
  return `${f.from ?? ''}${f.until ? ` – ${f.until}` : ''}`;
}
