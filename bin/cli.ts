// The yakkan command line: `yakkan <command> ...` runs bin/commands/<command>.ts, whose options
// are declared with the one argument parser (bin/args.ts). Only that parser is loaded before the
// command is known, so a command on one cached product starts without the DSL (bin/preload.ts).
// bin/yakkan.js calls start(); the one-file build of `decide` (bin/bundle.ts) passes that command
// in, so that it is not imported a second time from its own file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type Command, EXIT, EXIT_CODES_TEXT, reportError } from './args.js';

// The pipeline's own commands first, in the order a user meets them; the rest alphabetically.
const FIRST = ['check', 'compile', 'decide', 'explain', 'test', 'sources', 'schema', 'fmt', 'diff', 'batch'];

const commandsDir = new URL('./commands/', import.meta.url);

function commandNames(): string[] {
  const names = existsSync(commandsDir)
    ? readdirSync(commandsDir)
        .filter((f) => f.endsWith('.js'))
        .map((f) => f.slice(0, -3))
    : [];
  const rank = (n: string) => (FIRST.includes(n) ? FIRST.indexOf(n) : FIRST.length);
  return names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export type CommandModule = { command?: Command; run?(argv: string[]): number | Promise<number> };

let builtIn: Record<string, CommandModule> = {};

async function importCommand(name: string): Promise<CommandModule | undefined> {
  if (Object.hasOwn(builtIn, name)) return builtIn[name];
  const url = new URL(`./${name}.js`, commandsDir);
  if (!/^[a-z][a-z-]*$/.test(name) || !existsSync(url)) return undefined;
  return (await import(url.href)) as CommandModule;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function usage(): Promise<string> {
  const rows: [string, string][] = [];
  for (const name of commandNames()) {
    // A command that cannot even be imported is still listed: running it says what is wrong.
    const m = await importCommand(name).catch(() => undefined);
    rows.push([name, m?.command?.spec.summary ?? '']);
  }
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  return `yakkan ${version()} — explainable decisions from insurance pamphlets

usage: yakkan <command> [arguments] [options]
       yakkan <command> --help     the command's arguments and options
       yakkan --version

commands:
${rows.map(([n, s]) => `  ${n.padEnd(width)}${s}`).join('\n')}

A <product> is a folder (products/nexi-ip-license) or one .yk / .json file; facts are a YAML or
JSON file, or - for standard input. Every command that prints a report for people takes
--format json (or --json) for tools.

${EXIT_CODES_TEXT}
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    if (rest[0] && name === 'help') return main([rest[0], '--help']);
    process.stdout.write(await usage());
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const m = await importCommand(name);
  if (!m || (!m.command && !m.run)) {
    const names = commandNames();
    const { closest } = await import('../dsl/diagnostics.js');
    const near = closest(name, names);
    process.stderr.write(`yakkan: unknown command ${name}${near ? ` (did you mean ${near}?)` : ''}\n`);
    process.stderr.write(`usage: yakkan <command> [arguments] [options]; commands: ${names.join(', ')}\n`);
    return EXIT.usage;
  }
  return m.command ? m.command.run(rest) : m.run!(rest);
}

export function start(commands: Record<string, CommandModule> = {}): void {
  builtIn = commands;
  // A reader that stops early (`yakkan sources | head`) closes the pipe: nothing more can be
  // written, which is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    process.stderr.write(`yakkan: cannot write the output: ${e.message}\n`);
    process.exit(EXIT.usage);
  });

  // The exit code is set, never forced: stdout drains to a pipe before the process ends.
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.exitCode = reportError(process.argv[2] ?? 'yakkan', e);
    },
  );
}
