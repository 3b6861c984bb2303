/**
 * Text written as it is produced, in pieces of a bounded size: the audit's reports go out while the
 * checks run, never as one big string, and a slow reader (a pipe into `less`) slows the audit down
 * instead of piling text up in memory.
 */

/** Where text goes: `process.stdout`, a file stream, or a test's collector. */
export interface TextSink {
  /** Returns `false` when the sink wants the writer to wait for `'drain'` (Node's stream contract). */
  write(text: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

/** Text buffered up to this many UTF-16 units before it is handed to the sink. */
const FLUSH_AT = 1 << 16;

/** A buffered writer over a {@link TextSink}. */
export interface Writer {
  write(text: string): void;
  /** Hands the buffer to the sink; resolves when the sink can take more. */
  flush(): Promise<void>;
}

/** Buffers text and respects the sink's backpressure at each `flush()`. */
export function createWriter(sink: TextSink): Writer {
  let parts: string[] = [];
  let length = 0;
  let waiting: Promise<void> | undefined;

  function handOver(): void {
    if (length === 0) return;
    const text = parts.join('');
    parts = [];
    length = 0;
    if (sink.write(text) === false && sink.once !== undefined && waiting === undefined) {
      waiting = new Promise<void>((resolve) => sink.once?.('drain', resolve)).then(() => {
        waiting = undefined;
      });
    }
  }

  return {
    write(text) {
      parts.push(text);
      length += text.length;
      if (length >= FLUSH_AT) handOver();
    },
    async flush() {
      handOver();
      if (waiting !== undefined) await waiting;
    },
  };
}

/** `1 problem`, `2 problems`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? noun : nouns}`;
}
