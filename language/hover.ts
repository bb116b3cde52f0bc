// Hover: what a name is, in the words of the file that declares it. A fact shows its label, its
// type and its declaration; a rule its label, its kind (and what firing or failing decides) and
// its citations; a table row its cells against the table's columns.
import type { Amount, Citation, Formula, Product, Rule, Table } from '../dsl/ir.js';
import { typeText } from '../engine/pipeline/operators.js';
import type { Analysis } from './analysis.js';
import { type TextRange, childNode, childNodes, nodeRange, within } from './cst.js';
import { type TableRowInfo, type YkSymbol, occurrenceAt } from './symbols.js';

export interface Hover extends TextRange {
  markdown: string;
}

const RULE_KINDS: Record<string, string> = {
  eligibility: 'eligibility rule: when its requirement fails, the applicant is ineligible',
  ineligible: 'ineligibility rule: when it fires, the applicant is ineligible',
  cover: 'cover rule: when it fires, the claim (or item) is covered',
  exclude: 'exclusion: when it fires, the claim (or item) is excluded',
  condition: 'condition: when its requirement fails, the claim is refused',
  constraint: 'constraint: when its requirement fails, the policy is invalid (a configuration error)',
};

export function hover(a: Analysis, offset: number): Hover | undefined {
  const occ = occurrenceAt(a.index, offset);
  const row = a.index.rows.find((r) => within(r, offset));
  if (row && (!occ || occ.symbol.kind === 'enum')) return { from: row.from, to: row.to, markdown: rowMarkdown(a, row) };
  if (occ) return { from: occ.from, to: occ.to, markdown: symbolMarkdown(a, occ.symbol) };
  // The keyword that opens a declaration describes it too.
  const decl = a.index.declarations.find((d) => d.extent && d.decl && offset >= d.extent.from && offset < d.decl.from);
  if (decl) return { from: decl.extent!.from, to: decl.decl!.to, markdown: symbolMarkdown(a, decl) };
  return undefined;
}

export function symbolMarkdown(a: Analysis, s: YkSymbol): string {
  const p = a.model.product;
  const out: string[] = [];
  const title = (what: string) => out.push(`**${what}** \`${s.name}\`${s.label ? ` — ${s.label}` : ''}`);
  switch (s.kind) {
    case 'product': {
      out.push(`**product** \`${s.name}\`${p.name.ja ? ` — ${p.name.ja}` : ''}${p.name.en ? ` (${p.name.en})` : ''}`);
      const from = p.inForce.from ? `, in force from ${p.inForce.from}` : '';
      out.push(`revision ${p.revision || '?'}${from}${p.inForce.until ? ` until ${p.inForce.until}` : ''}`);
      if (p.chosenBy) out.push(`chosen by \`${p.chosenBy}\``);
      if (p.source) out.push(`source \`${p.source}\``);
      break;
    }
    case 'fact':
    case 'field': {
      title(s.kind === 'fact' ? 'fact' : `field of ${s.owner}`);
      const type = s.node ? childNode(s.node, 'typeExpr') : undefined;
      if (type) out.push(`type: \`${text(a, nodeRange(type))}\``);
      const def = s.node ? childNode(s.node, 'default') : undefined;
      if (def) out.push(`default: \`${text(a, nodeRange(def))}\` (optional)`);
      else if (s.kind === 'fact') out.push('required: a decision that needs it is undetermined without it');
      out.push(declaredAt(a, s));
      const f = s.kind === 'fact' ? p.facts.find((x) => x.name === s.name) : undefined;
      out.push(...citations(p, (f as { cite?: Citation[] } | undefined)?.cite));
      break;
    }
    case 'formula':
    case 'define': {
      title(s.kind);
      const f = p.formulas.find((x) => x.name === s.name);
      const e = s.node ? childNode(s.node, 'expression') : undefined;
      if (e) out.push('```yakkan\n= ' + text(a, nodeRange(e)) + '\n```');
      out.push(...citations(p, f?.cite), ...note(f));
      const t = f ? a.checked.types.names.get(f.name) : undefined;
      if (t) out.push(`type: \`${typeText(t)}\``);
      break;
    }
    case 'table': {
      title('table');
      const t = p.tables.find((x) => x.name === s.name);
      if (t) {
        const inputs = s.node ? childNodes(s.node, 'input').map((i) => `\`${text(a, nodeRange(i))}\``) : [];
        out.push(
          `hit ${t.hit}; given ${inputs.join(', ')}; returns ${t.outputs.map((o) => `\`${o.name}\``).join(', ')}`,
        );
        out.push(`${t.rows.length} row${t.rows.length === 1 ? '' : 's'}${t.otherwise ? ' and else' : ''}`);
      }
      out.push(...citations(p, t?.cite), ...note(t));
      break;
    }
    case 'output': {
      title(`output of table ${s.owner}`);
      const type = s.node ? childNode(s.node, 'typeExpr') : undefined;
      if (type) out.push(`type: \`${text(a, nodeRange(type))}\``);
      out.push(declaredAt(a, s));
      break;
    }
    case 'amount': {
      title('amount');
      const am = p.amounts.find((x) => x.name === s.name);
      if (am) {
        out.push(
          `money ${am.currency}${am.payable ? ', payable (only when covered; else 0)' : ''}` +
            `${am.forEach ? `, for each element of \`${am.forEach}\`` : ''}`,
        );
        out.push(`steps: ${am.steps.map((x) => x.step).join(' → ')}`);
      }
      out.push(...citations(p, am?.cite), ...note(am));
      break;
    }
    case 'rule': {
      const r = p.rules.find((x) => x.id === s.name);
      title(s.keyword ?? 'rule');
      if (s.keyword && RULE_KINDS[s.keyword]) out.push(RULE_KINDS[s.keyword]!);
      if (r?.forEach) out.push(`for each element of \`${r.forEach}\``);
      out.push(...citations(p, r?.cite), ...note(r));
      break;
    }
    case 'enum': {
      out.push(`**value** \`${s.name}\`${s.label ? ` — ${s.label}` : ''} of \`${s.owner}\``);
      const values = a.index.enums.get(s.owner ?? '');
      if (values) out.push(`one of ${[...values.keys()].map((v) => `\`${v}\``).join(', ')}`);
      out.push(declaredAt(a, s));
      break;
    }
    case 'loop': {
      out.push(`**${s.name}**: ${s.label ?? 'the loop variable'}`);
      break;
    }
  }
  return out.filter((x) => x !== '').join('\n\n');
}

function rowMarkdown(a: Analysis, row: TableRowInfo): string {
  const t = a.model.product.tables.find((x) => x.name === row.table.name);
  const inputs = row.table.node ? childNodes(row.table.node, 'input').map((i) => text(a, nodeRange(i))) : [];
  const outputs = t?.outputs.map((o) => o.name) ?? [];
  const out = [
    `**${row.index === 0 ? 'else' : `row ${row.index}`}** of table \`${row.table.name}\`` +
      `${row.table.label ? ` — ${row.table.label}` : ''}`,
  ];
  const lines = row.cells.map((c, i) => `- \`${inputs[i] ?? `column ${i + 1}`}\`: ${c}`);
  lines.push(...row.outputs.map((v, i) => `- → \`${outputs[i] ?? `output ${i + 1}`}\`: ${v}`));
  out.push(lines.join('\n'));
  const modelRow = t && row.index > 0 ? t.rows[row.index - 1] : undefined;
  out.push(...citations(a.model.product, modelRow?.cite));
  return out.join('\n\n');
}

function citations(p: Product, cites: Citation[] | undefined): string[] {
  return (cites ?? []).map((c) => {
    const quote = c.quote.length > 200 ? `${c.quote.slice(0, 200)}…` : c.quote;
    return `§${c.section} 「${quote.replace(/\n/g, ' ')}」${c.source !== p.source ? ` (${c.source})` : ''}`;
  });
}

function note(x: Rule | Formula | Table | Amount | undefined): string[] {
  return x?.note ? [`*note:* ${x.note}`] : [];
}

function declaredAt(a: Analysis, s: YkSymbol): string {
  if (!s.decl) return '';
  const line = a.lines.position(s.decl.from).line;
  return `declared on line ${line + 1}:\n\n\`\`\`yakkan\n${a.lines.lineText(line).trim()}\n\`\`\``;
}

function text(a: Analysis, r: TextRange | undefined): string {
  return r ? a.text.slice(r.from, r.to).replace(/\s+/g, ' ').trim() : '';
}
