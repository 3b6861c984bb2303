/**
 * A one-line progress display on stderr, only when stderr is a terminal: piped or redirected
 * output (a CI log, `2> file`) stays free of carriage returns. Redrawn at most ten times a second.
 */
import type { AuditSummary } from './audit.js';
import { plural } from './output.js';

/** What the progress line needs from the input. */
export interface ProgressSource {
  readonly size: number | undefined;
  bytesRead(): number;
}

/** The progress line; `update` and `listing` are cheap to call often. */
export interface Progress {
  /** While the storage is listed: how many files so far. */
  listing(files: number): void;
  update(summary: Readonly<AuditSummary>): void;
  /** Clears the line, so the report starts on a clean one. */
  done(): void;
}

const WIDTH = 24;
/**
 * The input is read ahead of the checks, so the bytes read run ahead of the work done: the bar
 * stops short of 100% until the audit is over.
 */
const MAX_SHOWN = 0.99;

/** The number of listed problems in a summary. */
export function problemCount(summary: Readonly<AuditSummary>): number {
  return summary.missing + summary.unsafe + summary.fault + summary.malformed;
}

/** A progress line for `stream`, or one that prints nothing when it is not a terminal. */
export function createProgress(source: ProgressSource, stream: { write(text: string): unknown; isTTY?: boolean }): Progress {
  if (stream.isTTY !== true) return { listing() {}, update() {}, done() {} };
  let last = 0;
  let drawn = false;
  const draw = (text: string): void => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    stream.write(`\r\u001b[2K${text}`);
    drawn = true;
  };
  return {
    listing(files) {
      draw(`listing the storage: ${plural(files, 'file')}`);
    },
    update(summary) {
      const total = source.size;
      const fraction = total ? Math.min(MAX_SHOWN, source.bytesRead() / total) : undefined;
      const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.floor(fraction * WIDTH)).padEnd(WIDTH, '.')}] ${Math.floor(fraction * 100)}%  `;
      draw(`${bar}${summary.checked.toLocaleString('en')} checked, ${plural(problemCount(summary), 'problem')}`);
    },
    done() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}
