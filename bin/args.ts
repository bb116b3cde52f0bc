// The one argument parser of every yakkan command: Node's util.parseArgs in strict mode, wrapped
// so that each command only declares what it takes. The helper gives every command `--help`
// (printed, never running the command), usage errors on one line followed by the usage line
// (unknown flags, a flag without its value, a bad number, too few or too many arguments), the
// exit-code table below, and one place where exceptions become a one-line message.
//
// This module imports only node:util and dsl/diagnostics.ts (itself import-free), so bin/cli.ts
// can parse a command line before the engine (and chevrotain) is loaded; a command on one product
// imports the engine through bin/preload.ts inside `run`, after the compiled-model cache is read.
//
// A command is a file bin/commands/<name>.ts that exports `command`:
//
//   import { defineCommand, EXIT, UsageError, formatOption } from '../args.js';
//
//   export const command = defineCommand({
//     name: 'serve',
//     args: '[product...]',                        // the positionals, as shown in the usage line
//     summary: 'decide over HTTP',                 // one line for `yakkan --help`
//     description: 'Starts an HTTP service ...',   // paragraphs for `yakkan serve --help`
//     positionals: { min: 0 },                     // default: any number
//     options: {
//       port: { type: 'integer', value: 'N', help: 'port to listen on', default: 8080, min: 1 },
//       host: { type: 'string', value: 'HOST', help: 'address to bind (default 127.0.0.1)' },
//       quiet: { type: 'boolean', short: 'q', help: 'no request log' },
//       since: { type: 'date', help: 'from this day on' },            // YYYY-MM-DD, checked
//       'as-of': asOfOption,                       // the shared --as-of DATE
//       format: formatOption,                      // --format text|json, and --json as its short form
//     },
//     async run({ values, positionals }) {
//       values.port;                               // number (it has a default)
//       values.host;                               // string | undefined
//       values.quiet;                              // boolean (false when absent)
//       values.format;                             // 'text' | 'json'
//       if (positionals.length > 3) throw new UsageError('at most three products');  // exit 2 + usage
//       ...
//       return EXIT.ok;                            // the exit code; never call process.exit()
//     },
//   });
//
// `yakkan serve --help` prints the usage line, the description, the options and the exit codes.
// Throw `UsageError` for a mistake in the command line or its files (exit 2, with the usage line),
// `CliError(message, exit)` for any other failure you have already explained (printed as one
// line: `yakkan serve: message`). Any other exception is a bug: one line and exit 3
// (YAKKAN_DEBUG=1 prints the stack). Write output with process.stdout.write and return the exit
// code: bin/cli.ts sets process.exitCode, so a pipe receives every byte.
import { parseArgs } from 'node:util';
import { closest } from '../dsl/diagnostics.js';

// The exit codes of every command (docs/cli.md, `yakkan --help`).
export const EXIT = {
  // Done: checks clean, cases pass, the decision was made, nothing changed.
  ok: 0,
  // The command ran and found a failure: a check error, a failing case, invalid facts (a decision
  // with outcome `error`), a batch line not decided, `fmt --check` on an unformatted file,
  // `diff` found changed decisions (or rules, without --cases).
  failed: 1,
  // The command could not run: a usage error (unknown option, missing value or argument), a file
  // that is missing or unreadable, or a product with errors.
  usage: 2,
  // A bug in yakkan: an unexpected exception, reported on one line (YAKKAN_DEBUG=1 for the stack).
  internal: 3,
} as const;

export const EXIT_CODES_TEXT = `exit codes:
  0  ok: checks clean, cases pass, the decision was made, nothing changed
  1  failed: check errors, failing cases, invalid facts (outcome \`error\`), undecided batch lines,
     \`fmt --check\` on an unformatted file, \`diff\` found changes
  2  usage error, a missing or unreadable file, or a product with errors
  3  a bug in yakkan (one line; YAKKAN_DEBUG=1 prints the stack)`;

export interface OptionSpec {
  // `date` is a string in the form YYYY-MM-DD, checked to be a day of the calendar.
  type: 'boolean' | 'string' | 'integer' | 'date';
  help: string;
  // The value's placeholder in the help text: `--as-of DATE`.
  value?: string;
  short?: string;
  // Allowed values of a string option.
  choices?: readonly string[];
  // Least value of an integer option.
  min?: number;
  // A string option given several times: an array of its values.
  multiple?: boolean;
  default?: string | number;
}

type ValueOf<S extends OptionSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'integer' }
    ? number
    : S extends { multiple: true }
      ? string[]
      : S extends { choices: readonly (infer C)[] }
        ? C
        : string;

export type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K] extends { type: 'boolean' } | { multiple: true } | { default: string | number }
    ? ValueOf<O[K]>
    : ValueOf<O[K]> | undefined;
};

export interface Parsed<O extends Record<string, OptionSpec>> {
  values: Values<O>;
  positionals: string[];
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  name: string;
  args: string;
  summary: string;
  description?: string;
  options: O;
  positionals?: { min?: number; max?: number };
  run(parsed: Parsed<O>): number | Promise<number>;
}

export interface Command {
  spec: CommandSpec<Record<string, OptionSpec>>;
  // The command's exit code; a usage error or a bug has been reported on stderr by then.
  run(argv: string[]): Promise<number>;
  // Parse only: the values, or the exit code when --help was printed or the line was wrong.
  parse(argv: string[]): Parsed<Record<string, OptionSpec>> | { exit: number };
  usage(): string;
  help(): string;
}

// A mistake in the command line or in the files it names: exit 2, with the usage line.
export class UsageError extends Error {}

// A failure the command has explained: printed as one line (or as given), with its exit code.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exit: number,
  ) {
    super(message);
  }
}

export const asOfOption = {
  type: 'date',
  help: 'decide under the revision in force on DATE, whatever date the facts give',
} as const satisfies OptionSpec;

export const formatOption = {
  type: 'string',
  value: 'text|json',
  choices: ['text', 'json'],
  default: 'text',
  help: 'text for people or json for tools',
} as const satisfies OptionSpec;

export function defineCommand<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): Command {
  const options = { ...spec.options } as Record<string, OptionSpec>;
  const all: Record<string, OptionSpec> = { ...options, help: { type: 'boolean', short: 'h', help: 'show this help' } };
  // `--json` is short for `--format json` wherever a command has both formats.
  const jsonAlias = options.format?.choices?.includes('json') === true && !('json' in options);
  if (jsonAlias) all.json = { type: 'boolean', help: 'same as --format json' };

  const synopsis = (): string => {
    const flags = Object.entries(options).map(([k, o]) => `[${flagText(k, o)}]`);
    const line = `yakkan ${spec.name}${spec.args ? ` ${spec.args}` : ''}`;
    const full = `${line} ${flags.join(' ')}`.trimEnd();
    return full.length <= 100 ? full : `${line} [options]`;
  };
  const usage = (): string => `usage: ${synopsis()}`;
  const help = (): string => {
    const rows = Object.entries(all).map(([k, o]) => {
      const name = `${o.short ? `-${o.short}, ` : '    '}${flagText(k, o)}`;
      const dflt = o.default !== undefined && o.type !== 'boolean' ? ` (default ${o.default})` : '';
      return [name, o.help + dflt] as const;
    });
    const width = Math.max(...rows.map(([n]) => n.length)) + 2;
    const optionText = rows.map(([n, h]) => `  ${n.padEnd(width)}${h}`).join('\n');
    const desc = spec.description ? `\n\n${spec.description.trim()}` : `\n\n${spec.summary}`;
    return `${usage()}${desc}\n\noptions:\n${optionText}\n\n${EXIT_CODES_TEXT}\n`;
  };

  const report = (message: string, withUsage: boolean): void => {
    process.stderr.write(`yakkan ${spec.name}: ${message}\n${withUsage ? `${usage()}\n` : ''}`);
  };

  const parse = (argv: string[]): Parsed<Record<string, OptionSpec>> | { exit: number } => {
    let raw: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
    try {
      raw = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: Object.fromEntries(
          Object.entries(all).map(([k, o]) => [
            k,
            {
              type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const),
              ...(o.short ? { short: o.short } : {}),
              ...(o.multiple ? { multiple: true } : {}),
            },
          ]),
        ),
      });
    } catch (e) {
      report(parseErrorText(e as Error & { code?: string }, all), true);
      return { exit: EXIT.usage };
    }
    if (raw.values.help) {
      process.stdout.write(help());
      return { exit: EXIT.ok };
    }
    try {
      const values: Record<string, unknown> = {};
      for (const [k, o] of Object.entries(options)) values[k] = optionValue(k, o, raw.values[k]);
      if (jsonAlias && raw.values.json) {
        if (raw.values.format !== undefined && raw.values.format !== 'json') {
          throw new UsageError(`--json and --format ${raw.values.format} disagree`);
        }
        values.format = 'json';
      }
      const { min = 0, max = Number.POSITIVE_INFINITY } = spec.positionals ?? {};
      const n = raw.positionals.length;
      if (n < min)
        throw new UsageError(n === 0 ? `missing arguments: ${spec.args}` : `too few arguments: ${spec.args}`);
      if (n > max) throw new UsageError(`unexpected argument ${raw.positionals[max]}`);
      return { values: values as Values<Record<string, OptionSpec>>, positionals: raw.positionals };
    } catch (e) {
      report((e as Error).message, true);
      return { exit: EXIT.usage };
    }
  };

  const run = async (argv: string[]): Promise<number> => {
    const parsed = parse(argv);
    if ('exit' in parsed) return parsed.exit;
    try {
      return await spec.run(parsed as Parsed<O>);
    } catch (e) {
      return reportError(spec.name, e, report);
    }
  };

  return { spec: spec as unknown as Command['spec'], run, parse, usage, help };
}

// An exception out of a command: a usage error, a failure already explained, or a bug.
export function reportError(name: string, e: unknown, report?: (message: string, withUsage: boolean) => void): number {
  const say = report ?? ((m: string) => process.stderr.write(`yakkan ${name}: ${m}\n`));
  if (e instanceof UsageError) {
    say(e.message, true);
    return EXIT.usage;
  }
  if (e instanceof CliError) {
    say(e.message, false);
    return e.exit;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  // A file that cannot be read or written (ENOENT, EACCES, EISDIR...): the user's to fix.
  if ((err as NodeJS.ErrnoException).syscall) {
    say(err.message, false);
    return EXIT.usage;
  }
  if (process.env.YAKKAN_DEBUG) process.stderr.write(`${err.stack}\n`);
  say(`internal error: ${err.message.split('\n')[0]} (a bug in yakkan; YAKKAN_DEBUG=1 shows where)`, false);
  return EXIT.internal;
}

function flagText(name: string, o: OptionSpec): string {
  const placeholder = o.value ?? { integer: 'N', date: 'DATE', string: 'VALUE', boolean: '' }[o.type];
  return o.type === 'boolean' ? `--${name}` : `--${name} ${placeholder}`;
}

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function optionValue(name: string, o: OptionSpec, v: unknown): unknown {
  if (o.type === 'boolean') return v === true;
  if (o.multiple) return (v as string[] | undefined) ?? [];
  if (v === undefined) return o.default;
  const s = v as string;
  if (o.type === 'integer') {
    const min = o.min ?? 0;
    if (!/^\d+$/.test(s) || Number(s) < min) throw new UsageError(`--${name} takes a whole number >= ${min}, not ${s}`);
    return Number(s);
  }
  if (o.type === 'date' && !isDate(s)) throw new UsageError(`--${name} takes a date YYYY-MM-DD, not ${s}`);
  if (o.choices && !o.choices.includes(s))
    throw new UsageError(`--${name} is one of ${o.choices.join(', ')}, not ${s}`);
  return s;
}

// parseArgs's messages run to three lines and suggest `--`: say it the way the rest of yakkan does.
function parseErrorText(e: Error & { code?: string }, options: Record<string, OptionSpec>): string {
  const flag = /'(?:-\w, )?(-[^' ]+)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = closest(flag.replace(/^-+/, ''), Object.keys(options));
    return `unknown option ${flag}${near ? ` (did you mean --${near}?)` : ''}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(e.message)) return `${flag} takes no value`;
    const o = options[flag.replace(/^-+/, '')];
    return `${flag} needs a value${o?.value ? ` (${o.value})` : ''}`;
  }
  return e.message.split('\n')[0]!;
}
