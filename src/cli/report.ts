/**
 * Prints the audit's findings as they come: a table for people, or one JSON document for
 * programs. Nothing is collected first: the table has fixed column widths (long values are cut),
 * and the JSON document is written element by element.
 */
import type { AuditProblem, AuditSummary } from './audit.js';
import type { Writer } from './output.js';

/** A file no record references (`--orphans`). */
export interface Orphan {
  key: string;
  /** Bytes, when the storage said. */
  size: number | undefined;
  /** Last modification, ms since the Unix epoch, when the storage said. */
  modified: number | undefined;
}

/** What is known once every record is read. */
export interface ReportEnd {
  summary: AuditSummary;
  /** With `--orphans`: how many, their bytes, and how many files were too young (or of unknown age) to count. */
  orphans?: { count: number; bytes: number; young: number; minAge: number } | undefined;
  /** Why the storage looks unmounted, empty or unreachable (exit 3), if it does. */
  brake?: string | undefined;
  /** Why the run failed although every record was read (exit 2): no records at all, say. */
  error?: string | undefined;
}

/** The report being written. Call `problem` in input order, then `orphan` for each orphan, then `end`. */
export interface Report {
  problem(problem: AuditProblem): void;
  orphan(orphan: Orphan): void;
  end(end: ReportEnd): void;
}

// id: 20 characters hold every 64-bit id (-9223372036854775808) whole; longer ones are cut with "…".
const WIDTHS = { line: 7, id: 20, name: 24, reference: 48, key: 60 } as const;

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

/** `12,345 bytes (12.1 KiB)`. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const exact = `${bytes.toLocaleString('en')} byte${bytes === 1 ? '' : 's'}`;
  return unit === -1 ? exact : `${exact} (${value.toFixed(1)} ${units[unit] as string})`;
}

function formatAge(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** `2024-05-01 10:00` (UTC), or `-`. */
function formatTime(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, column) => (column < widths.length ? cell.padEnd(widths[column] as number) : cell))
    .join('  ')
    .trimEnd();
}

/** The problems as an aligned table (its header before the first), then the summary. */
export function tableReport(out: Writer): Report {
  const widths = [WIDTHS.line, WIDTHS.id, WIDTHS.name, WIDTHS.reference];
  let problems = 0;
  let orphans = 0;
  return {
    problem(p) {
      if (problems++ === 0) out.write(`${row(['LINE', 'ID', 'NAME', 'REFERENCE', 'REASON'], widths)}\n`);
      const cells = [String(p.line), printable(p.id, WIDTHS.id), printable(p.name, WIDTHS.name), printable(p.reference, WIDTHS.reference), printable(p.reason)];
      out.write(`${row(cells, widths)}\n`);
    },
    orphan(o) {
      if (orphans++ === 0) out.write(`${problems > 0 ? '\n' : ''}${row(['ORPHAN', 'BYTES'.padStart(12), 'MODIFIED (UTC)'], [WIDTHS.key, 12])}\n`);
      const size = o.size === undefined ? '-' : o.size.toLocaleString('en');
      out.write(`${row([printable(o.key, WIDTHS.key), size.padStart(12), formatTime(o.modified)], [WIDTHS.key, 12])}\n`);
    },
    end({ summary, orphans: found }) {
      if (problems > 0 || orphans > 0) out.write('\n');
      out.write(`${formatSummary(summary)}\n`);
      if (found !== undefined) {
        const young = found.young === 0 ? '' : ` · ${found.young} younger than ${formatAge(found.minAge)} (or of unknown age) not counted`;
        out.write(`orphans ${found.count} · ${formatBytes(found.bytes)}${young}\n`);
      }
    },
  };
}

/**
 * `{ "problems": [{ "id", "name", "reference", "line", "reason" }, …], "orphans": [{ "key", "size",
 * "modified" }, …] (with --orphans), "summary": {…}, "brake": null | "why", "error": null | "why" }`,
 * one element per line.
 */
export function jsonReport(out: Writer, withOrphans: boolean): Report {
  let section: 'problems' | 'orphans' = 'problems';
  let count = 0; // elements in the open array
  const element = (value: unknown): void => out.write(`${count++ === 0 ? '\n' : ',\n'}    ${JSON.stringify(value)}`);
  const closeArray = (): void => {
    out.write(`${count === 0 ? '' : '\n  '}]`);
    count = 0;
  };
  const openOrphans = (): void => {
    closeArray();
    out.write(',\n  "orphans": [');
    section = 'orphans';
  };
  out.write('{\n  "problems": [');
  return {
    problem({ id, name, reference, line, reason }) {
      element({ id, name, reference, line, reason });
    },
    orphan({ key, size, modified }) {
      if (section === 'problems') openOrphans();
      element({ key, size: size ?? null, modified: modified === undefined ? null : new Date(modified).toISOString() });
    },
    end({ summary, orphans, brake, error }) {
      if (section === 'problems' && withOrphans) openOrphans();
      closeArray();
      const counts = orphans === undefined ? summary : { ...summary, orphans: orphans.count, orphanBytes: orphans.bytes, orphansTooYoung: orphans.young };
      out.write(`,\n  "summary": ${JSON.stringify(counts)},\n  "brake": ${JSON.stringify(brake ?? null)},\n  "error": ${JSON.stringify(error ?? null)}\n}\n`);
    },
  };
}
