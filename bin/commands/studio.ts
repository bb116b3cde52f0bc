// yakkan studio [product...]: the browser workbench (studio/), served by the decision service:
// this is `yakkan serve --studio --no-log`, with the options a workbench needs.
import { defineCommand } from '../args.js';
import { productDirs, requirePath } from '../product.js';

export const command = defineCommand({
  name: 'studio',
  args: '[product...]',
  summary: 'the browser workbench: rules beside the pamphlet, try claims, cases, revisions',
  description: `Opens the studio on the products (all under products/ when none is named): edit the
.yk files with live diagnostics, quick fixes, hover and completion; see the pamphlet beside them
with every cited passage highlighted; try claims from a form; run and save cases; compare
editions. Saving writes the file, checks it, and activates the product only when it has no
errors.

The same server as \`yakkan serve --studio\` (the HTTP API answers beside it), without a
decision log. Listens on 127.0.0.1 unless --host says otherwise; another address needs a bearer
token (YAKKAN_TOKEN, or --token-file), or --open, and saving from another machine always needs
the token.`,
  options: {
    port: { type: 'integer', value: 'N', help: 'port (0: any free port, printed on start)', default: 8080 },
    host: { type: 'string', value: 'HOST', help: 'address to listen on', default: '127.0.0.1' },
    'token-file': { type: 'string', value: 'FILE', help: 'file holding the bearer token (or YAKKAN_TOKEN)' },
    open: { type: 'boolean', help: 'listen beyond loopback without a token (saving stays local)' },
  },
  async run({ values, positionals }) {
    const paths = positionals.length ? positionals : productDirs();
    for (const p of paths) requirePath(p, 'product');
    const { command: serve } = await import('./serve.js');
    return serve.run([
      ...paths,
      '--studio',
      '--no-log',
      '--log-level',
      'warn',
      '--port',
      String(values.port),
      '--host',
      values.host,
      ...(values['token-file'] ? ['--token-file', values['token-file']] : []),
      ...(values.open ? ['--open'] : []),
    ]);
  },
});
