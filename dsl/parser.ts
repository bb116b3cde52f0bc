// Stage 2: tokens -> concrete syntax tree. Entry: parse(). The grammar has no semantics;
// dsl/model.ts walks the CST and builds the product model.
import type { CstNode, IToken, IRecognitionException } from 'chevrotain';
import { chevrotain } from './chevrotain.js';
import * as T from './tokens.js';
import { type Diagnostic, spanAt, closest } from './diagnostics.js';

const { CstParser, EOF } = chevrotain;

class YakkanParser extends CstParser {
  constructor(recoveryEnabled: boolean) {
    super(T.allTokens, {
      recoveryEnabled,
      maxLookahead: 3,
      nodeLocationTracking: 'full',
      skipValidations: !recoveryEnabled,
    });
    this.performSelfAnalysis();
  }

  file = this.RULE('file', () => {
    this.SUBRULE(this.header);
    this.MANY(() => this.SUBRULE(this.declaration));
  });

  header = this.RULE('header', () => {
    this.CONSUME(T.Product);
    this.SUBRULE(this.path);
    this.MANY(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.NameKw);
            this.CONSUME(T.Name);
            this.CONSUME(T.StringLit);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Revision);
            this.CONSUME1(T.StringLit);
            this.OPTION2(() => this.CONSUME4(T.StringLit, { LABEL: 'revisionLabel' }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.In);
            this.CONSUME(T.Force);
            this.CONSUME(T.From);
            this.CONSUME(T.DateLit);
            this.OPTION(() => {
              this.CONSUME(T.Until);
              this.CONSUME1(T.DateLit);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Chosen);
            this.CONSUME(T.By);
            this.SUBRULE1(this.path);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Currency);
            this.CONSUME1(T.Name);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Source);
            this.CONSUME2(T.StringLit);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Reconstructed);
            this.CONSUME3(T.StringLit);
          },
        },
        { ALT: () => this.SUBRULE(this.common) },
      ]),
    );
  });

  declaration = this.RULE('declaration', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.factDecl) },
      { ALT: () => this.SUBRULE(this.formulaDecl) },
      { ALT: () => this.SUBRULE(this.tableDecl) },
      { ALT: () => this.SUBRULE(this.ruleDecl) },
      { ALT: () => this.SUBRULE(this.amountDecl) },
    ]);
  });

  common = this.RULE('common', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.cite) },
      {
        ALT: () => {
          this.CONSUME(T.Note);
          this.CONSUME(T.StringLit);
        },
      },
    ]);
  });

  cite = this.RULE('cite', () => {
    this.CONSUME(T.Cite);
    this.OPTION(() => this.CONSUME(T.StringLit, { LABEL: 'file' }));
    this.CONSUME(T.SectionRef);
    this.CONSUME1(T.StringLit, { LABEL: 'quote' });
  });

  factDecl = this.RULE('factDecl', () => {
    this.CONSUME(T.Fact);
    this.SUBRULE(this.path);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeExpr);
    this.OPTION(() => this.CONSUME(T.StringLit, { LABEL: 'label' }));
    this.OPTION1(() => {
      this.CONSUME(T.Default);
      this.SUBRULE(this.value, { LABEL: 'default' });
    });
    this.MANY(() => this.SUBRULE(this.common));
  });

  typeExpr = this.RULE('typeExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.List);
          this.CONSUME(T.Of);
          this.SUBRULE(this.typeExpr, { LABEL: 'element' });
        },
      },
      { ALT: () => this.SUBRULE(this.recordType) },
      {
        ALT: () => {
          this.CONSUME(T.Name, { LABEL: 'typeName' });
          this.OPTION(() =>
            this.OR1([
              {
                ALT: () => {
                  this.CONSUME(T.LParen);
                  this.CONSUME1(T.Name, { LABEL: 'enumValue' });
                  this.OPTION2(() => this.CONSUME(T.StringLit, { LABEL: 'enumLabel' }));
                  this.MANY(() => {
                    this.CONSUME(T.Comma);
                    this.CONSUME2(T.Name, { LABEL: 'enumValue' });
                    this.OPTION3(() => this.CONSUME1(T.StringLit, { LABEL: 'enumLabel' }));
                  });
                  this.CONSUME(T.RParen);
                },
              },
              { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'currency' }) },
              { ALT: () => this.CONSUME(T.DurationUnit, { LABEL: 'unit' }) },
            ]),
          );
        },
      },
    ]);
    this.OPTION4(() => this.CONSUME(T.Signed));
    this.OPTION1(() => {
      this.CONSUME(T.One);
      this.CONSUME1(T.Of);
      this.CONSUME1(T.LParen);
      this.SUBRULE(this.value, { LABEL: 'oneOf' });
      this.MANY1(() => {
        this.CONSUME1(T.Comma);
        this.SUBRULE1(this.value, { LABEL: 'oneOf' });
      });
      this.CONSUME1(T.RParen);
    });
  });

  recordType = this.RULE('recordType', () => {
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.field);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE1(this.field);
    });
    this.CONSUME(T.RBrace);
  });

  field = this.RULE('field', () => {
    this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeExpr);
    this.OPTION(() => this.CONSUME(T.StringLit, { LABEL: 'label' }));
    this.OPTION1(() => {
      this.CONSUME(T.Default);
      this.SUBRULE(this.value, { LABEL: 'default' });
    });
  });

  formulaDecl = this.RULE('formulaDecl', () => {
    this.OR([{ ALT: () => this.CONSUME(T.FormulaKw) }, { ALT: () => this.CONSUME(T.Define) }]);
    this.CONSUME(T.Name);
    this.OPTION(() => this.CONSUME(T.StringLit, { LABEL: 'label' }));
    this.MANY(() => this.SUBRULE(this.common));
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expression);
    this.MANY1(() => this.SUBRULE1(this.common));
  });

  tableDecl = this.RULE('tableDecl', () => {
    this.CONSUME(T.TableKw);
    this.CONSUME(T.Name);
    this.OPTION(() => this.CONSUME(T.StringLit, { LABEL: 'label' }));
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.common) },
        {
          ALT: () => {
            this.CONSUME(T.Hit);
            this.CONSUME1(T.Name, { LABEL: 'hit' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Given);
            this.SUBRULE(this.expression, { LABEL: 'input' });
            this.MANY1(() => {
              this.CONSUME(T.Comma);
              this.SUBRULE1(this.expression, { LABEL: 'input' });
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Returns);
            this.SUBRULE(this.field, { LABEL: 'output' });
            this.MANY2(() => {
              this.CONSUME1(T.Comma);
              this.SUBRULE1(this.field, { LABEL: 'output' });
            });
          },
        },
        { ALT: () => this.SUBRULE(this.row) },
        {
          ALT: () => {
            this.CONSUME(T.Else);
            this.CONSUME(T.Arrow);
            this.SUBRULE(this.outputs);
          },
        },
      ]),
    );
  });

  row = this.RULE('row', () => {
    this.CONSUME(T.Row);
    this.SUBRULE(this.cell);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE1(this.cell);
    });
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.outputs);
    this.MANY1(() => this.SUBRULE(this.cite));
  });

  cell = this.RULE('cell', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Any) },
      {
        ALT: () => {
          this.OR1([
            { ALT: () => this.CONSUME(T.Le, { LABEL: 'cmp' }) },
            { ALT: () => this.CONSUME(T.Ge, { LABEL: 'cmp' }) },
            { ALT: () => this.CONSUME(T.Lt, { LABEL: 'cmp' }) },
            { ALT: () => this.CONSUME(T.Gt, { LABEL: 'cmp' }) },
            { ALT: () => this.CONSUME(T.Eq, { LABEL: 'cmp' }) },
          ]);
          this.SUBRULE(this.value);
        },
      },
      {
        ALT: () => {
          this.SUBRULE1(this.value);
          this.OR2([
            {
              ALT: () => {
                this.CONSUME(T.DotDot);
                this.SUBRULE2(this.value, { LABEL: 'upper' });
              },
            },
            {
              ALT: () =>
                this.MANY(() => {
                  this.CONSUME(T.Comma);
                  this.SUBRULE3(this.value);
                }),
            },
          ]);
        },
      },
    ]);
  });

  outputs = this.RULE('outputs', () => {
    this.SUBRULE(this.value);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE1(this.value);
    });
  });

  // A literal or a bare name (an enum value), possibly negated.
  value = this.RULE('value', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.OR([{ ALT: () => this.SUBRULE(this.literal) }, { ALT: () => this.CONSUME(T.Name) }]);
  });

  ruleDecl = this.RULE('ruleDecl', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Eligibility, { LABEL: 'kind' }) },
      { ALT: () => this.CONSUME(T.Ineligible, { LABEL: 'kind' }) },
      { ALT: () => this.CONSUME(T.Cover, { LABEL: 'kind' }) },
      { ALT: () => this.CONSUME(T.Exclude, { LABEL: 'kind' }) },
      { ALT: () => this.CONSUME(T.ConditionKw, { LABEL: 'kind' }) },
      { ALT: () => this.CONSUME(T.Constraint, { LABEL: 'kind' }) },
    ]);
    this.CONSUME(T.Name);
    this.OPTION(() => this.CONSUME(T.StringLit, { LABEL: 'label' }));
    this.MANY(() =>
      this.OR1([
        { ALT: () => this.SUBRULE(this.common) },
        { ALT: () => this.SUBRULE(this.forEach) },
        {
          ALT: () => {
            this.CONSUME(T.When);
            this.SUBRULE(this.expression, { LABEL: 'when' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Unless);
            this.SUBRULE1(this.expression, { LABEL: 'unless' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Require);
            this.SUBRULE2(this.expression, { LABEL: 'require' });
          },
        },
      ]),
    );
  });

  forEach = this.RULE('forEach', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Each);
    this.CONSUME(T.Name);
    this.CONSUME(T.In);
    this.SUBRULE(this.path);
  });

  amountDecl = this.RULE('amountDecl', () => {
    this.CONSUME(T.AmountKw);
    this.CONSUME(T.Name);
    this.OPTION(() => this.CONSUME(T.StringLit, { LABEL: 'label' }));
    this.OPTION1(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeExpr);
    });
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.common) },
        { ALT: () => this.CONSUME(T.Payable) },
        { ALT: () => this.SUBRULE(this.forEach) },
        { ALT: () => this.SUBRULE(this.step) },
      ]),
    );
  });

  step = this.RULE('step', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Total, { LABEL: 'kind' }) },
      {
        ALT: () => {
          this.CONSUME(T.Aggregate, { LABEL: 'kind' });
          this.SUBRULE(this.expression);
          this.CONSUME(T.Used);
          this.SUBRULE1(this.expression, { LABEL: 'used' });
          this.SUBRULE(this.stepTail);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Round, { LABEL: 'kind' });
          this.CONSUME(T.Name, { LABEL: 'mode' });
          this.SUBRULE2(this.expression);
          this.SUBRULE1(this.stepTail);
        },
      },
      {
        ALT: () => {
          this.OR1([
            { ALT: () => this.CONSUME(T.Start, { LABEL: 'kind' }) },
            { ALT: () => this.CONSUME(T.Add, { LABEL: 'kind' }) },
            { ALT: () => this.CONSUME(T.Subtract, { LABEL: 'kind' }) },
            { ALT: () => this.CONSUME(T.Deductible, { LABEL: 'kind' }) },
            { ALT: () => this.CONSUME(T.Coinsurance, { LABEL: 'kind' }) },
            { ALT: () => this.CONSUME(T.Multiply, { LABEL: 'kind' }) },
            { ALT: () => this.CONSUME(T.Limit, { LABEL: 'kind' }) },
            { ALT: () => this.CONSUME(T.Floor, { LABEL: 'kind' }) },
          ]);
          this.SUBRULE3(this.expression);
          this.SUBRULE2(this.stepTail);
        },
      },
    ]);
  });

  stepTail = this.RULE('stepTail', () => {
    this.OPTION1(() => this.CONSUME(T.Shared));
    this.OPTION(() => {
      this.CONSUME(T.When);
      this.SUBRULE(this.expression, { LABEL: 'when' });
    });
    this.MANY(() => this.SUBRULE(this.cite));
  });

  path = this.RULE('path', () => {
    this.CONSUME(T.Name);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME1(T.Name);
    });
  });

  expression = this.RULE('expression', () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE1(this.andExpr);
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE1(this.notExpr);
    });
  });

  notExpr = this.RULE('notExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.notExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.additive);
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.OR1([
              { ALT: () => this.CONSUME(T.Le, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.Ge, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.Lt, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.Gt, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.Eq, { LABEL: 'op' }) },
              { ALT: () => this.CONSUME(T.Ne, { LABEL: 'op' }) },
            ]);
            this.SUBRULE1(this.additive);
          },
        },
        {
          ALT: () => {
            this.OPTION1(() => this.CONSUME(T.Not, { LABEL: 'negated' }));
            this.CONSUME(T.In);
            this.CONSUME(T.LParen);
            this.SUBRULE(this.expression, { LABEL: 'member' });
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.SUBRULE1(this.expression, { LABEL: 'member' });
            });
            this.CONSUME(T.RParen);
          },
        },
      ]),
    );
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) },
      ]);
      this.SUBRULE1(this.multiplicative);
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Times, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(T.Divide, { LABEL: 'op' }) },
      ]);
      this.SUBRULE1(this.unary);
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.literal) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.If);
          this.SUBRULE1(this.expression, { LABEL: 'cond' });
          this.CONSUME(T.Then);
          this.SUBRULE2(this.expression, { LABEL: 'then' });
          this.CONSUME(T.Else);
          this.SUBRULE3(this.expression, { LABEL: 'else' });
        },
      },
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.RefStart, { LABEL: 'head' }) },
            { ALT: () => this.CONSUME(T.Round, { LABEL: 'head' }) },
          ]);
          this.OR1([
            {
              ALT: () => {
                this.CONSUME1(T.LParen);
                this.OPTION(() => {
                  this.SUBRULE4(this.expression, { LABEL: 'arg' });
                  this.MANY(() => {
                    this.CONSUME(T.Comma);
                    this.SUBRULE5(this.expression, { LABEL: 'arg' });
                  });
                });
                this.CONSUME1(T.RParen);
              },
            },
            {
              ALT: () =>
                this.MANY1(() => {
                  this.CONSUME(T.Dot);
                  this.CONSUME1(T.Name, { LABEL: 'segment' });
                }),
            },
          ]);
        },
      },
    ]);
  });

  literal = this.RULE('literal', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.MoneyLit) },
      { ALT: () => this.CONSUME(T.PercentLit) },
      { ALT: () => this.CONSUME(T.FractionLit) },
      { ALT: () => this.CONSUME(T.DateLit) },
      { ALT: () => this.CONSUME(T.TimeLit) },
      { ALT: () => this.CONSUME(T.JaDurationLit) },
      {
        ALT: () => {
          this.CONSUME(T.NumberLit);
          this.OPTION(() => this.CONSUME(T.DurationUnit));
        },
      },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
    ]);
  });
}

// Two parsers, built once on first use: a fast one without error recovery for files that parse,
// and one with recovery, run only when the fast one fails, to report every error of the file.
let fastParser: YakkanParser | undefined;
let recoveringParser: YakkanParser | undefined;

export function parse(tokens: T.Tokens, diagnostics: Diagnostic[]): CstNode {
  const input = boundNesting(tokens, diagnostics);
  fastParser ??= new YakkanParser(false);
  fastParser.input = input;
  let cst = fastParser.file();
  if (fastParser.errors.length === 0) return cst;
  recoveringParser ??= new YakkanParser(true);
  const p = recoveringParser;
  p.input = input;
  cst = p.file();
  // A lexing error (an unterminated string, say) already explains what follows on its line.
  const lexLines = new Set(diagnostics.filter((d) => d.code.startsWith('lex/')).map((d) => d.span?.start.line));
  for (const e of p.errors) {
    const d = parseErrorDiagnostic(e, tokens);
    if (!lexLines.has(d.span?.start.line)) diagnostics.push(d);
  }
  return cst;
}

// The parser recurses several rules deep for each level of nesting (a parenthesis or brace, an
// `if`, a `not`, a unary minus, a `list of`), and so do the model builder, the checker and the
// evaluator after it. Deeper nesting is refused before parsing, so that no file can exhaust the
// stack: the declaration that holds it is reported and left out. docs/dsl.md states the limit.
export const MAX_NESTING = 64;

const DECLARATION_START = new Set([
  T.Product,
  T.Fact,
  T.FormulaKw,
  T.Define,
  T.TableKw,
  T.Eligibility,
  T.Ineligible,
  T.Cover,
  T.Exclude,
  T.ConditionKw,
  T.Constraint,
  T.AmountKw,
]);
const OPERAND_END = new Set([
  T.RParen,
  T.RBrace,
  T.True,
  T.False,
  T.StringLit,
  T.DateLit,
  T.TimeLit,
  T.MoneyLit,
  T.PercentLit,
  T.FractionLit,
  T.JaDurationLit,
  T.NumberLit,
]);
const categories = (t: IToken) => (t.tokenType.CATEGORIES ?? []) as unknown[];
// A clause keyword (`when`, `cite`, `row`, ...) ends any expression before it.
const isClauseWord = (t: IToken, next: IToken | undefined) =>
  categories(t).includes(T.Name) &&
  !categories(t).includes(T.RefStart) &&
  !(t.tokenType === T.Round && next?.tokenType === T.LParen);
const endsOperand = (t: IToken | undefined) =>
  t !== undefined && (OPERAND_END.has(t.tokenType) || categories(t).includes(T.Name));

// The tokens to parse: all of them, or (when some declaration nests too deep) all but those declarations.
function boundNesting(tokens: T.Tokens, diagnostics: Diagnostic[]): IToken[] {
  const toks = tokens.tokens;
  const starts = (i: number) => DECLARATION_START.has(toks[i]!.tokenType) && toks[i - 1]?.tokenType !== T.Dot;
  let dropped: [number, number][] | undefined;
  let decl = 0;
  // Per open parenthesis: the depth it opened at and the `if`s inside it; `run` counts the
  // prefixes (not, unary minus, list of) right before the current token.
  let levels = [{ base: 0, ifs: 0 }];
  let run = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const ty = t.tokenType;
    if (starts(i) || isClauseWord(t, toks[i + 1])) {
      if (starts(i)) decl = i;
      if (ty !== T.List) {
        levels = [{ base: 0, ifs: 0 }];
        run = 0;
        continue;
      }
    }
    const top = levels[levels.length - 1]!;
    let depth: number;
    if (ty === T.LParen || ty === T.LBrace) {
      depth = top.base + top.ifs + run + 1;
      levels.push({ base: depth, ifs: 0 });
      run = 0;
    } else if (ty === T.RParen || ty === T.RBrace) {
      if (levels.length > 1) levels.pop();
      run = 0;
      continue;
    } else if (ty === T.If) {
      top.ifs += run + 1;
      run = 0;
      depth = top.base + top.ifs;
    } else if (ty === T.Not || ty === T.List || (ty === T.Minus && !endsOperand(toks[i - 1]))) {
      run++;
      depth = top.base + top.ifs + run;
    } else {
      if (ty !== T.Of) run = 0;
      continue;
    }
    if (depth <= MAX_NESTING) continue;
    let end = i + 1;
    while (end < toks.length && !starts(end)) end++;
    diagnostics.push({
      code: 'parse/too-deep',
      severity: 'error',
      message:
        `this nests ${MAX_NESTING + 1} levels deep (parentheses, if, not, unary minus, list of); ` +
        `at most ${MAX_NESTING} are allowed, so the declaration is left out`,
      span: spanAt(tokens.file, t.startLine ?? 1, t.startColumn ?? 1, t.startOffset, t.image.length),
      hint: 'give the inner parts names (formula part = ..., then use part): each is checked and explained on its own',
    });
    (dropped ??= []).push([decl, end]);
    i = end - 1;
    levels = [{ base: 0, ifs: 0 }];
    run = 0;
  }
  if (!dropped) return toks;
  return toks.filter((_, i) => !dropped!.some(([a, b]) => i >= a && i < b));
}

const DECLARATION_WORDS =
  'fact, formula, define, table, eligibility, ineligible, cover, exclude, condition, constraint, amount';

function parseErrorDiagnostic(e: IRecognitionException, tokens: T.Tokens): Diagnostic {
  let tok: IToken = e.token;
  // At end of input Chevrotain's token has no position: point just after the last real token.
  if (tok.tokenType === EOF || Number.isNaN(tok.startOffset)) {
    const last = tokens.tokens[tokens.tokens.length - 1];
    if (last)
      tok = {
        ...last,
        startOffset: (last.endOffset ?? last.startOffset) + 1,
        startColumn: (last.endColumn ?? 0) + 1,
        image: '',
      };
    else tok = { ...tok, startOffset: 0, startLine: 1, startColumn: 1, image: '' };
  }
  const found = tok.image === '' ? 'end of file' : JSON.stringify(tok.image);
  const ctx = e.context?.ruleStack ?? [];
  const where = ctx[ctx.length - 1] ?? 'file';
  const inExpression = EXPRESSION_RULES.has(where);
  return {
    code: inExpression ? 'parse/expected-expression' : 'parse/unexpected-token',
    severity: 'error',
    message: inExpression ? `expected an expression, found ${found}` : `unexpected ${found} in ${describeRule(where)}`,
    span: spanAt(tokens.file, tok.startLine ?? 1, tok.startColumn ?? 1, tok.startOffset, tok.image.length),
    hint: hintFor(e, tok, where, tokens.tokens[tokens.tokens.indexOf(e.token) - 1]),
  };
}

function describeRule(rule: string): string {
  const names: Record<string, string> = {
    file: 'the file',
    header: 'the product header',
    declaration: 'a declaration',
    factDecl: 'a fact declaration',
    typeExpr: 'a type',
    formulaDecl: 'a formula',
    tableDecl: 'a table',
    row: 'a table row',
    cell: 'a table cell',
    ruleDecl: 'a rule',
    amountDecl: 'an amount',
    step: 'an amount step',
    cite: 'a citation',
    expression: 'an expression',
    comparison: 'a comparison',
    primary: 'an expression',
    literal: 'a literal',
    path: 'a name',
    value: 'a value',
    recordType: 'a record type',
    field: 'a field',
    outputs: 'table outputs',
    forEach: "a 'for each' clause",
  };
  return names[rule] ?? rule;
}

const EXPRESSION_RULES = new Set([
  'expression',
  'andExpr',
  'notExpr',
  'comparison',
  'additive',
  'multiplicative',
  'unary',
  'primary',
]);

const UNITS = ['days', 'months', 'years'];

function hintFor(e: IRecognitionException, tok: IToken, where: string, prev?: IToken): string {
  if (prev?.tokenType === T.NumberLit && tok.tokenType === T.Identifier) {
    const guess = closest(tok.image, UNITS);
    return `a duration is a number and a unit: days, months or years (or 45日, 9カ月, 1年)${guess ? `: did you mean ${prev.image} ${guess}?` : ''}`;
  }
  if (EXPRESSION_RULES.has(where)) {
    return 'the expression before this is incomplete: it ends with an operator (and, or, +, ×, ...) that needs a right-hand side';
  }
  if (where === 'cite')
    return 'a citation is: cite §<section> "<exact quote from the seed>" (optionally cite "<seed file>" §<section> "<quote>")';
  if (where === 'file' || where === 'declaration') return `each declaration starts with one of: ${DECLARATION_WORDS}`;
  if (where === 'header')
    return 'a file starts with: product <id>, then name ja "...", revision "...", in force from <date>, currency JPY, source "<seed file>"';
  if (tok.image === '-') return 'write binary minus with spaces around it: a - b';
  if (where === 'formulaDecl') return 'a formula is: formula <name> "label" cite ... = <expression>';
  if (where === 'row') return 'a table row is: row <cell> | <cell> => <output> | <output>';
  if (e.name === 'MismatchedTokenException') return e.message.replace(/\s+/g, ' ').replace(/--> (.*?) <--/g, '$1');
  return 'check the syntax in docs/dsl.md';
}
