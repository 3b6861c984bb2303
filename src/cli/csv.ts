/**
 * CSV records (RFC 4180, with a header row), streamed, each with the line it starts on.
 *
 * Hand-written, although csv-parse is a fine library, because an audit needs three things it does
 * not do: a record over its size limit is reported and reading goes on (csv-parse's
 * `max_record_size` with `skip_records_with_error` drops the rest of the input); an unterminated
 * quote is reported where its record starts, and the lines it swallowed are read again as records
 * (csv-parse reports it at the end of the input, after swallowing everything); and the error of
 * one record is known to belong to that record (csv-parse answers a record only once the next
 * chunk arrives).
 *
 * The rules: fields separated by the delimiter; a field that starts with `"` is quoted, `""`
 * inside it is one `"`, and it may hold the delimiter and line breaks; a `"` inside an unquoted
 * field is an ordinary character (as csv-parse's `relax_quotes`); `\r\n` and `\n` end records;
 * blank lines are skipped; a leading BOM is dropped.
 */
/** Text is scanned in slices of at most this many characters. */
const SLICE = 1 << 16;

/** The delimiters recognised in a header. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** A record's fields, or why its text is not a record. */
export type CsvPiece = { readonly line: number; readonly fields: string[] } | { readonly line: number; readonly error: string };

/** Turns chunks of CSV text into records; `end()` flushes what is left. */
export interface CsvSplitter {
  push(chunk: string): CsvPiece[];
  end(): CsvPiece[];
  /** The delimiter in use: given, from a `sep=` line, or detected from the header. */
  readonly delimiter: string | undefined;
}

/**
 * Which of {@link DELIMITERS} a header row uses: the one found most often outside quotes (a
 * `;`-separated export from Excel in most of Europe has none of `,`). A header without any is one
 * column: `,`.
 */
export function detectDelimiter(header: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const c of header) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (DELIMITERS as readonly string[]).includes(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = ',';
  let most = 0;
  for (const delimiter of DELIMITERS) {
    const count = counts.get(delimiter) ?? 0;
    if (count > most) [best, most] = [delimiter, count];
  }
  return best;
}

/** Splits one complete record's text into fields, or says why it cannot. */
export function splitFields(text: string, delimiter: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) return 'a quoted field is not closed';
        if (text[quote + 1] === '"') {
          value += text.slice(from, quote + 1);
          from = quote + 2;
          continue;
        }
        value += text.slice(from, quote);
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== delimiter) return `a quoted field is followed by ${JSON.stringify(text[i])}, not by the delimiter ${JSON.stringify(delimiter)}`;
      i++;
    } else {
      const next = text.indexOf(delimiter, i);
      if (next === -1) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

/**
 * A CSV splitter. `delimiter` forces one; otherwise a first line `sep=;` (Excel's) sets it, else
 * the header row decides ({@link detectDelimiter}). Records over `maxLength` characters are
 * reported, not kept.
 */
export function csvSplitter(options: { delimiter?: string | undefined; maxLength: number }): CsvSplitter {
  const { maxLength } = options;
  let delimiter = options.delimiter;
  let first = true; // before the first non-blank record (a BOM, a `sep=` line)
  let line = 1; // the line being read
  let startLine = 1; // the line the current record starts on
  let parts: string[] = [];
  let length = 0;
  let overflow = false;
  let quoted = false;
  let quoteLine = 0; // the line the open quote is on
  let quoteAt = 0; // where it is in the record's text
  let fieldStart = true;
  let closing = false; // a `"` seen inside quotes, at a chunk's end: escape or close?
  let replayedUntil = 0; // lines up to here were read again after an unterminated quote: never twice

  const isDelimiter = (c: string): boolean => (delimiter === undefined ? (DELIMITERS as readonly string[]).includes(c) : c === delimiter);

  function reset(): void {
    parts = [];
    length = 0;
    overflow = false;
    quoted = false;
    fieldStart = true;
    closing = false;
  }

  function finish(out: CsvPiece[]): void {
    if (overflow) {
      out.push({ line: startLine, error: `the record is larger than ${maxLength.toLocaleString('en')} characters` });
      reset();
      return;
    }
    let text = parts.join('');
    reset();
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (first) {
      if (text.startsWith('\ufeff')) text = text.slice(1);
      const sep = /^sep=(.)$/.exec(text);
      if (sep !== null) {
        delimiter ??= sep[1] as string;
        return;
      }
    }
    if (text.trim() === '') return;
    first = false;
    delimiter ??= detectDelimiter(text);
    const fields = splitFields(text, delimiter);
    out.push(typeof fields === 'string' ? { line: startLine, error: fields } : { line: startLine, fields });
  }

  /**
   * The open quote never closed (the input ended, or the record outgrew `maxLength`): report the
   * record where it starts, and return the text after the quote's line, to be read again.
   */
  function unterminated(out: CsvPiece[], why: string, text = parts.join('')): { text: string; line: number } | undefined {
    const newline = text.indexOf('\n', quoteAt);
    // The lines after the quote's own, up to where reading stopped (a final line break starts none).
    let swallowed = 0;
    for (let at = text.indexOf('\n', quoteAt); at !== -1 && at < text.length - 1; at = text.indexOf('\n', at + 1)) swallowed++;
    const where = quoteLine === startLine ? '' : ` (on line ${quoteLine})`;
    const replayed = swallowed > 0 && quoteLine >= replayedUntil;
    const after = swallowed === 0 ? '' : `: it swallowed the ${swallowed === 1 ? 'line' : `${swallowed} lines`} after it${replayed ? ', read again as records' : ''}`;
    out.push({ line: startLine, error: `a quoted field${where} is ${why}${after}` });
    const replay = newline === -1 || !replayed ? undefined : { text: text.slice(newline + 1), line: quoteLine + 1 };
    if (replay !== undefined) replayedUntil = line;
    reset();
    return replay;
  }

  /** Adds text to the record; a quoted field that outgrows the limit is taken for an unterminated quote. */
  function add(text: string, out: CsvPiece[]): void {
    if (overflow || text === '') return;
    length += text.length;
    if (length <= maxLength) {
      parts.push(text);
    } else if (quoted) {
      parts.push(text);
      const replay = unterminated(out, `not closed within ${maxLength.toLocaleString('en')} characters`);
      if (replay !== undefined) {
        line = replay.line;
        startLine = line;
        scan(replay.text, out);
      }
    } else {
      overflow = true;
      parts = [];
    }
  }

  /** Whether a quote followed by `next` closes its field properly (or `next` is unknown yet). */
  const closesWell = (next: string | undefined): boolean => next === undefined || next === '\n' || next === '\r' || isDelimiter(next);

  /**
   * A quote that closes a field but is followed by something else (`…,"Multi`) while the field
   * began on an earlier line: the quote that opened it was most likely never closed, and this one
   * opens a field of its own. Report the record, and read again from the line after the opening
   * quote (this quote included). Returns false when that cannot be done (already read again).
   */
  function misclosed(chunk: string, from: number, at: number, follower: string, out: CsvPiece[]): boolean {
    if (overflow || quoteLine === line || quoteLine < replayedUntil) return false;
    const replay = unterminated(out, `not closed (the quote on line ${line} that would close it is followed by ${JSON.stringify(follower)})`, parts.join('') + chunk.slice(from, at));
    if (replay === undefined) return false;
    line = replay.line;
    startLine = line;
    scan(replay.text + chunk.slice(at), out);
    return true;
  }

  function scan(chunk: string, out: CsvPiece[]): void {
    let from = 0; // the start of the text not yet added to the record
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (closing) {
        closing = false;
        if (c === '"') continue; // `""`: an escaped quote, still inside
        if (!closesWell(c) && misclosed(chunk, from, i, c, out)) return;
        quoted = false;
      }
      if (quoted) {
        if (c === '"') {
          const next = chunk[i + 1];
          if (next === undefined) closing = true;
          else if (next === '"') i++;
          else if (!closesWell(next) && misclosed(chunk, from, i, next, out)) return;
          else quoted = false;
        } else if (c === '\n') {
          line++;
        }
        continue;
      }
      if (c === '\n') {
        add(chunk.slice(from, i), out);
        from = i + 1;
        finish(out);
        line++;
        startLine = line;
      } else if (c === '"' && fieldStart) {
        quoted = true;
        quoteLine = line;
        quoteAt = overflow ? 0 : length + (i - from);
        fieldStart = false;
      } else {
        fieldStart = isDelimiter(c);
      }
    }
    add(chunk.slice(from), out);
  }

  return {
    get delimiter() {
      return delimiter;
    },
    push(chunk) {
      const out: CsvPiece[] = [];
      // In slices, so that a record outgrowing the limit is caught within a slice of it.
      for (let at = 0; at < chunk.length; at += SLICE) scan(chunk.slice(at, at + SLICE), out);
      return out;
    },
    end() {
      const out: CsvPiece[] = [];
      if (closing) {
        closing = false;
        quoted = false;
      }
      if (quoted && !overflow) {
        const replay = unterminated(out, 'never closed');
        if (replay !== undefined) {
          line = replay.line;
          startLine = line;
          scan(replay.text, out);
          return [...out, ...this.end()];
        }
      } else if (length > 0 || overflow) {
        finish(out);
      }
      return out;
    },
  };
}
