/** Prints the audit's findings: a table and a summary for people, or one JSON document for programs. */
import type { AuditProblem, AuditSummary } from './audit.js';

const WIDTHS = { id: 12, name: 28, reference: 60 } as const;

/**
 * Makes a value from the database safe to print on a terminal: control characters (an ANSI escape
 * in a company name could rewrite the screen) are shown escaped, and long values are cut.
 */
export function printable(value: string | null, width = Number.POSITIVE_INFINITY): string {
  if (value === null) return '-';
  const safe = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return safe.length > width ? `${safe.slice(0, width - 1)}…` : safe;
}

/** The one-line summary: every count, in a fixed order. */
export function formatSummary(summary: AuditSummary): string {
  const parts: Array<[string, number]> = [
    ['checked', summary.checked],
    ['present', summary.present],
    ['missing', summary.missing],
    ['unsafe', summary.unsafe],
    ['fault', summary.fault],
    ['malformed', summary.malformed],
    ['no file', summary.noFile],
    ['external', summary.external],
  ];
  return parts.map(([label, count]) => `${label} ${count}`).join(' · ');
}

/** The problems as an aligned table (header first), then the summary. */
export function formatTable(problems: readonly AuditProblem[], summary: AuditSummary): string {
  const rows = problems.map((p) => [String(p.line), printable(p.id, WIDTHS.id), printable(p.name, WIDTHS.name), printable(p.reference, WIDTHS.reference), printable(p.reason)]);
  const lines: string[] = [];
  if (rows.length > 0) {
    const header = ['LINE', 'ID', 'NAME', 'REFERENCE', 'REASON'];
    const widths = header.map((h, column) => Math.max(h.length, ...rows.map((row) => (row[column] as string).length)));
    const format = (row: string[]): string =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] as number)))
        .join('  ')
        .trimEnd();
    lines.push(format(header), ...rows.map(format), '');
  }
  lines.push(formatSummary(summary));
  return `${lines.join('\n')}\n`;
}

/** `{ "summary": {…}, "problems": [{ "id", "name", "reference", "line", "reason" }, …] }`. */
export function formatJson(problems: readonly AuditProblem[], summary: AuditSummary): string {
  const shaped = problems.map(({ id, name, reference, line, reason }) => ({ id, name, reference, line, reason }));
  return `${JSON.stringify({ summary, problems: shaped }, null, 2)}\n`;
}
