/** Prints the doctor's findings: a table for people, or one JSON document for programs. */
import type { DoctorReport } from './doctor.js';
import { printable } from './report.js';

/** The checks as aligned rows (status, target, check, message), then a one-line verdict. */
export function formatDoctorTable(report: DoctorReport): string {
  const rows = report.checks.map((check) => [check.status === 'ok' ? 'ok' : check.status.toUpperCase(), check.target, check.check, printable(check.message)]);
  const header = ['STATUS', 'TARGET', 'CHECK', 'RESULT'];
  const widths = header.map((title, column) => rows.reduce((width, row) => Math.max(width, (row[column] as string).length), title.length));
  const line = (row: string[]): string => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] as number))).join('  ');
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  const warned = report.checks.filter((check) => check.status === 'warn').length;
  const verdict = failed === 0 ? `No check failed${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.` : `${failed} check${failed === 1 ? '' : 's'} failed.`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${verdict} (as uid ${report.user.uid}, gid ${report.user.gid})\n`;
}

/** `{ "ok", "user": { "uid", "gid" }, "checks": [{ "target", "check", "status", "message" }] }`. */
export function formatDoctorJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
