// The language service's hover text is a little Markdown (bold, code, code blocks, italics,
// bullet lists). Rendered into elements with textContent only: a label or a quote from a product
// file is never read as HTML.
export function renderMarkdown(md: string): HTMLElement {
  const root = document.createElement('div');
  root.className = 'md';
  const blocks = md.split(/\n{2,}/);
  for (let i = 0; i < blocks.length; i++) {
    let block = blocks[i]!;
    if (block.startsWith('```')) {
      // A code block may hold blank lines: gather blocks up to the closing fence.
      while (!/\n```\s*$/.test(block) && i + 1 < blocks.length) block += `\n\n${blocks[++i]}`;
      const pre = document.createElement('pre');
      pre.textContent = block.replace(/^```\w*\n?/, '').replace(/\n?```\s*$/, '');
      root.append(pre);
    } else if (/^- /.test(block)) {
      const ul = document.createElement('ul');
      for (const line of block.split('\n')) {
        const li = document.createElement('li');
        inline(li, line.replace(/^- /, ''));
        ul.append(li);
      }
      root.append(ul);
    } else {
      const p = document.createElement('p');
      inline(p, block);
      root.append(p);
    }
  }
  return root;
}

function inline(into: HTMLElement, text: string): void {
  const re = /\*\*([^*]+)\*\*|`([^`]+)`|\*([^*]+)\*/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) into.append(text.slice(at, m.index));
    const el = document.createElement(m[1] !== undefined ? 'strong' : m[2] !== undefined ? 'code' : 'em');
    el.textContent = m[1] ?? m[2] ?? m[3]!;
    into.append(el);
    at = m.index + m[0].length;
  }
  if (at < text.length) into.append(text.slice(at));
}
