#!/usr/bin/env node
/**
 * The `logo-fallback` command. One subcommand so far: `audit`, which lists broken logo references.
 * Exit status: 0 nothing listed, 1 something listed, 2 bad usage or unreadable input.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { audit } from './audit.js';
import { AUDIT_USAGE, parseAuditArgs, UsageError } from './audit-args.js';
import { auditStorage } from './audit-storage.js';
import { InputError, openInput } from './input.js';
import { createProgress } from './progress.js';
import { readRecords } from './read-records.js';
import { formatJson, formatTable } from './report.js';

const USAGE = `Usage: logo-fallback <command> [options]

Commands
  audit <file | ->   list records whose logo file is missing, unsafe or unreadable

Run "logo-fallback audit --help" for its options.`;

/** Where the command writes; tests pass their own. */
export interface CliStreams {
  stdin: NodeJS.ReadableStream;
  stdout: { write(text: string): unknown };
  stderr: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean };
}

function version(): string {
  // src/cli/ (run with tsx) and dist/src/cli/ (built) sit at different depths below package.json.
  for (const up of ['../../', '../../../']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'logo-fallback' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // not at this depth
    }
  }
  return 'unknown';
}

async function runAudit(argv: string[], io: CliStreams): Promise<number> {
  const args = parseAuditArgs(argv);
  if (args === undefined) {
    io.stdout.write(`${AUDIT_USAGE}\n`);
    return 0;
  }
  const storage = await auditStorage(args.storage, args.timeout);
  const input = await openInput(args.input, args.format, io.stdin as never);
  const progress = createProgress(input, io.stderr as NodeJS.WriteStream);
  const { summary, problems } = await audit(readRecords(input, args.fileFields), {
    storage,
    idField: args.idField,
    nameFields: args.nameFields,
    fileFields: args.fileFields,
    concurrency: args.concurrency,
    timeout: args.timeout,
    onProgress: progress.update,
  }).finally(() => progress.done());
  io.stdout.write(args.json ? formatJson(problems, summary) : formatTable(problems, summary));
  return problems.length === 0 ? 0 : 1;
}

/** Runs the command with `argv` (without `node` and the script); resolves to the exit status. */
export async function main(argv: string[], io: CliStreams = process): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'audit') return await runAudit(rest, io);
    if (command === '--version' || command === '-v') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      io.stderr.write(`logo-fallback: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`logo-fallback: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}

// Run when executed (`node dist/src/cli/index.js`, the npm bin link), not when imported by a test.
const invoked = process.argv[1];
if (invoked !== undefined && import.meta.url === pathToFileURL(realpathSync(invoked)).href) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
