/** `logo-fallback doctor`: flags in, report out, exit status 0 (no check failed) or 1 (one did). */
import type { Readable } from 'node:stream';
import { DOCTOR_USAGE, parseDoctorArgs } from './doctor-args.js';
import { formatDoctorJson, formatDoctorTable } from './doctor-report.js';
import { runDoctor } from './doctor.js';

/** Runs the command with the arguments after `doctor`. Throws `UsageError` / `InputError` (exit 2). */
export async function runDoctorCommand(argv: string[], io: { stdin: NodeJS.ReadableStream; stdout: { write(text: string): unknown } }): Promise<number> {
  const args = parseDoctorArgs(argv);
  if (args === undefined) {
    io.stdout.write(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  const { json, ...options } = args;
  const report = await runDoctor({ ...options, stdin: io.stdin as Readable });
  io.stdout.write(json ? formatDoctorJson(report) : formatDoctorTable(report));
  return report.ok ? 0 : 1;
}
