#!/usr/bin/env node
/**
 * The `logo-fallback` command: `audit` lists broken logo references (and orphans); `doctor` checks
 * that media will survive the next deploy; `help <command>`. Exit status: 0 nothing found, 1
 * something found, 2 bad usage, unreadable input or no records, 3 the audit stopped because the
 * storage looks unmounted, empty or unreachable.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { UsageError } from './audit-args.js';
import type { AuditStreams } from './audit-run.js';
import { AUDIT_USAGE } from './audit-usage.js';
import { DOCTOR_USAGE } from './doctor-args.js';
import { InputError } from './input.js';

const USAGE = `Usage: logo-fallback <command> [options]

Commands
  audit <file | ->   list records whose logo file is missing, unsafe or unreadable
  doctor             tell whether uploaded media will survive the next deploy
  help <command>     the options of a command

Run "logo-fallback help <command>" for its options.`;

/** Each command's help text, for `logo-fallback help <command>`. */
const HELP: Record<string, string> = { audit: AUDIT_USAGE, doctor: DOCTOR_USAGE };

/** Where the command writes; tests pass their own. */
export type CliStreams = AuditStreams;

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

function help(topic: string | undefined, io: CliStreams): number {
  if (topic === undefined) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const text = Object.hasOwn(HELP, topic) ? HELP[topic] : undefined;
  if (text === undefined) throw new UsageError(`no help for "${topic}": the commands are ${Object.keys(HELP).join(', ')}`);
  io.stdout.write(`${text}\n`);
  return 0;
}

/** Runs the command with `argv` (without `node` and the script); resolves to the exit status. */
export async function main(argv: string[], io: CliStreams = process): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // Each command is loaded when it runs: `--version` and `help` start without the audit's or the doctor's modules.
    if (command === 'audit') return await (await import('./audit-run.js')).runAudit(rest, io);
    if (command === 'doctor') return await (await import('./doctor-command.js')).runDoctorCommand(rest, io);
    if (command === 'help') return help(rest[0], io);
    if (command === '--version' || command === '-v') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    if (command === undefined || command === '--help' || command === '-h') {
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
