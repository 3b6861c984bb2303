/**
 * A one-line progress display on stderr, only when stderr is a terminal: piped or redirected
 * output (a CI log, `2> file`) stays free of carriage returns. Redrawn at most ten times a second.
 */
import type { AuditSummary } from './audit.js';

/** What the progress line needs from the input. */
export interface ProgressSource {
  readonly size: number | undefined;
  bytesRead(): number;
}

/** The progress line; `update` is cheap to call after every record. */
export interface Progress {
  update(summary: Readonly<AuditSummary>, problems: number): void;
  /** Clears the line, so the report starts on a clean one. */
  done(): void;
}

const WIDTH = 24;

/** A progress line for `stream`, or one that prints nothing when it is not a terminal. */
export function createProgress(source: ProgressSource, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(summary, problems) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const total = source.size;
      const fraction = total ? Math.min(1, source.bytesRead() / total) : undefined;
      const bar =
        fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '.')}] ${Math.floor(fraction * 100)}%  `;
      stream.write(`\r\u001b[2K${bar}${summary.checked.toLocaleString('en')} checked, ${problems.toLocaleString('en')} problems`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}
