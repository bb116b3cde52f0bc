// Writes the malformed-facts corpus: for each bundled product, its example claim (base.json)
// and variants of it, each with the class of answer it must get (expected.json):
//   error      the decision is `error`, naming this pointer
//   refused    the facts text is refused before deciding (a repeated key)
//   missing    `undetermined` naming this fact, or the base's decision (the fact did not matter)
//   same       the base's decision: the same value written another way
// Run after `npm run build`: node test/malformed/make.mjs (the corpus test says when to).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { loadProduct } = await import(join(root, 'dist', 'engine', 'loading', 'load.js'));
const out = join(root, 'test', 'malformed');

const jpyWords = (s) => {
  const n = BigInt(s);
  if (n >= 10000n && n % 10000n === 0n) return `${(n / 10000n).toLocaleString('en')}万円`;
  return `${n.toLocaleString('en')}円`;
};

// Leaves of an object: [path keys, value].
function leaves(o, path = []) {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [[path, o]];
  return Object.entries(o).flatMap(([k, v]) => leaves(v, [...path, k]));
}

function typeAt(product, keys) {
  const name = keys.join('.');
  const f = product.facts.find((x) => x.name === name);
  return f;
}

function set(o, keys, v) {
  const c = structuredClone(o);
  let cur = c;
  for (const k of keys.slice(0, -1)) cur = cur[k];
  if (v === undefined) delete cur[keys[keys.length - 1]];
  else cur[keys[keys.length - 1]] = v;
  return c;
}

const ptr = (keys) => '/' + keys.join('/');

for (const d of readdirSync(join(root, 'products')).sort()) {
  const dir = join(out, d);
  rmSync(dir, { recursive: true, force: true });
  const example = join(root, 'products', d, 'examples', 'claim.yaml');
  if (!existsSync(example)) continue;
  const base = yaml.load(readFileSync(example, 'utf8'), { schema: yaml.CORE_SCHEMA });
  const p = loadProduct(join(root, 'products', d));
  const rev = p.revisions[p.revisions.length - 1];
  const product = rev.checked.product;
  const expected = {};
  const files = {};
  // Each kind of variant for at most a few facts of each product: hundreds of files in all.
  const kinds = {};
  const add = (name, text, expect) => {
    const kind = name
      .replace(/^\d+-/, '')
      .replace(/^no-.*/, 'no')
      .replace(/\.(json|yaml)$/, '');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (kinds[kind] > (kind === 'no' ? 4 : 1)) return;
    files[name] = text;
    expected[name] = expect;
  };
  const json = (o) => JSON.stringify(o, null, 1) + '\n';
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'base.json'), json(base));
  let n = 0;
  const id = (what) => `${String(++n).padStart(3, '0')}-${what}`;
  for (const [keys, v] of leaves(base)) {
    const f = typeAt(product, keys);
    if (!f) continue;
    const t = f.type;
    const at = ptr(keys);
    const err = (what, value) => add(`${id(what)}.json`, json(set(base, keys, value)), { class: 'error', pointer: at });
    const same = (what, value) => add(`${id(what)}.json`, json(set(base, keys, value)), { class: 'same' });
    if (!f.default)
      add(`${id(`no-${keys.join('.')}`)}.json`, json(set(base, keys, undefined)), { class: 'missing', fact: f.name });
    switch (t.kind) {
      case 'money':
        err('negative-amount', '-1000');
        err('digit-grouping', '1,2,3円');
        err('json-number-amount', 1000);
        err('long-amount', '9'.repeat(100));
        err('other-currency', 'USD 5');
        if (/^\d+$/.test(String(v))) same('amount-in-words', jpyWords(String(v)));
        break;
      case 'rate':
        err('negative-rate', '-10%');
        err('digit-grouping-rate', '1,0%');
        err('json-number-rate', 0.5);
        if (/^\d+(\.\d+)?%$/.test(String(v))) same('rate-as-decimal', String(Number(String(v).slice(0, -1)) / 100));
        break;
      case 'integer':
        err('negative-count', -1);
        err('fractional-count', 2.5);
        err('count-as-text', String(v));
        add(`${id('count-1e309')}.json`, json(set(base, keys, 123456789)).replace('123456789', '1e309'), {
          class: 'error',
          pointer: at,
        });
        add(
          `${id('count-beyond-json')}.json`,
          json(set(base, keys, 123456789)).replace('123456789', '9007199254740993'),
          { class: 'error', pointer: at },
        );
        break;
      case 'decimal':
        err('negative-decimal', '-1');
        err('digit-grouping-decimal', '1,00');
        break;
      case 'duration':
        err('negative-duration', -1);
        err('duration-in-weeks', '3 weeks');
        add(`${id('duration-1e309')}.json`, json(set(base, keys, 123456789)).replace('123456789', '1e309'), {
          class: 'error',
          pointer: at,
        });
        if (typeof v === 'number') same('duration-with-unit', `${v} ${t.unit}`);
        break;
      case 'date':
        err('not-a-date', '2025-13-45');
        err('february-30', '2025-02-30');
        err('date-as-number', 20250101);
        break;
      case 'boolean':
        err('boolean-as-text', String(v));
        err('boolean-as-number', 1);
        break;
      case 'enum':
        err('unknown-enum', 'nope');
        err(
          'enum-upper-case',
          String(v).toUpperCase() === String(v) ? String(v).toLowerCase() : String(v).toUpperCase(),
        );
        break;
      case 'text':
        err('long-text', 'x'.repeat(20000));
        break;
      case 'list':
        err('list-as-object', {});
        break;
    }
    err('null', null);
  }
  // Whole sections: absent, null, a list, a number; an unknown fact; the document not an object.
  for (const section of Object.keys(base)) {
    add(`${id(`without-${section}`)}.json`, json(set(base, [section], undefined)), {
      class: 'missing',
      fact: `${section}.`,
    });
    add(`${id(`${section}-null`)}.json`, json(set(base, [section], null)), { class: 'error', pointer: `/${section}` });
    add(`${id(`${section}-list`)}.json`, json(set(base, [section], [base[section]])), {
      class: 'error',
      pointer: `/${section}`,
    });
    add(`${id(`${section}-number`)}.json`, json(set(base, [section], 5)), { class: 'error', pointer: `/${section}` });
  }
  const first = Object.keys(base)[0];
  add(`${id('unknown-fact')}.json`, json(set(base, [first, 'no_such_fact'], true)), {
    class: 'error',
    pointer: `/${first}/no_such_fact`,
  });
  add(`${id('facts-list')}.json`, json([base]), { class: 'error', pointer: '' });
  add(`${id('facts-number')}.json`, '5\n', { class: 'error', pointer: '' });
  add(`${id('facts-null')}.json`, 'null\n', { class: 'error', pointer: '' });
  add(`${id('facts-text')}.json`, '"claim"\n', { class: 'error', pointer: '' });
  const text = json(base);
  const key = Object.keys(base[first])[0];
  add(
    `${id('repeated-key')}.json`,
    text.replace(`"${first}": {`, `"${first}": {\n  "${key}": ${JSON.stringify(base[first][key])},`),
    { class: 'refused', message: `key "${key}" appears twice` },
  );
  add(`${id('repeated-key')}.yaml`, `${first}:\n  ${key}: 1\n  ${key}: 2\n`, {
    class: 'refused',
    message: 'duplicated mapping key',
  });
  add(`${id('yaml-infinity')}.yaml`, yaml.dump(base).replace(/^/, 'extra_number: .inf\n'), {
    class: 'error',
    pointer: '/extra_number',
  });
  for (const [name, t] of Object.entries(files)) writeFileSync(join(dir, name), t);
  writeFileSync(join(dir, 'expected.json'), JSON.stringify(expected, null, 1) + '\n');
  process.stdout.write(`${d}: ${Object.keys(files).length} files\n`);
}
