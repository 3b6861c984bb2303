/**
 * `--sql-update`: the repair of the broken rows, printed as SQL for a person to read and run — never
 * run by the audit. Every identifier and value is quoted for the dialect; nothing from the input
 * is ever placed in the SQL unquoted, nor in a comment.
 */

/** The SQL dialects the statements are written for. */
export type Dialect = 'postgres' | 'mysql' | 'sqlite';
/** Every value `--dialect` takes. */
export const DIALECTS: readonly Dialect[] = ['postgres', 'mysql', 'sqlite'];

/** Rows per `UPDATE`, and the most characters one statement may take (SQLite's default limit is 1,000,000 bytes). */
const BATCH_ROWS = 500;
const BATCH_CHARS = 200_000;

/** Characters no id in a statement may hold (control characters, lone surrogates): such rows are left out. */
const UNWRITABLE = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The longest identifier, in UTF-8 bytes: PostgreSQL silently cuts longer ones (NAMEDATALEN − 1), MySQL refuses them. */
const MAX_IDENTIFIER: Record<Dialect, number> = { postgres: 63, mysql: 64, sqlite: Number.POSITIVE_INFINITY };

/**
 * Why `name` cannot be an identifier in `dialect`, if it cannot: it is empty, holds a control
 * character, or is too long (PostgreSQL would cut it to 63 bytes, which might name another column).
 */
export function identifierProblem(name: string, dialect: Dialect): string | undefined {
  if (name === '') return 'is empty';
  if (UNWRITABLE.test(name)) return 'holds a control character or malformed Unicode';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER[dialect]) return `is ${bytes} bytes long, more than ${dialect} takes (${MAX_IDENTIFIER[dialect]})`;
  return undefined;
}

/**
 * A quoted identifier: `"name"` (PostgreSQL, SQLite; SQL standard) or `` `name` `` (MySQL), the
 * quote character doubled inside. Check it with {@link identifierProblem} first.
 */
export function quoteIdentifier(name: string, dialect: Dialect): string {
  return dialect === 'mysql' ? `\`${name.replaceAll('`', '``')}\`` : `"${name.replaceAll('"', '""')}"`;
}

/** A table name, schema-qualified when it has dots (`public.base_company`): each part quoted. */
export function quoteTable(name: string, dialect: Dialect): string {
  return name
    .split('.')
    .map((part) => quoteIdentifier(part, dialect))
    .join('.');
}

/**
 * A quoted string literal. `'` is doubled everywhere. A backslash is doubled for MySQL (an escape
 * character there unless `NO_BACKSLASH_ESCAPES`; with that mode on the value would not match — no
 * row changes, nothing breaks out). PostgreSQL takes it literally in a standard string; one with a
 * backslash is written as an escape string (`E'…'`) so that `standard_conforming_strings = off`
 * cannot change its meaning.
 */
export function quoteString(value: string, dialect: Dialect): string {
  const quoted = value.replaceAll("'", "''");
  if (!value.includes('\\') || dialect === 'sqlite') return `'${quoted}'`;
  return dialect === 'mysql' ? `'${quoted.replaceAll('\\', '\\\\')}'` : `E'${quoted.replaceAll('\\', '\\\\')}'`;
}

/** Where the statements go, and what they update. */
export interface SqlUpdateOptions {
  table: string;
  idColumn: string;
  fileColumn: string;
  dialect: Dialect;
  write(text: string): void;
}

/** Collects broken rows and writes their `UPDATE`s, batched. */
export interface SqlUpdate {
  /** A row whose file is missing: its id, and the reference its file column holds. */
  add(id: string, reference: string): void;
  /** Writes the last batch and ends the transaction. */
  end(): void;
  /** Rows written, and rows left out (an id that cannot be written as a literal). */
  readonly rows: number;
  readonly leftOut: number;
}

/**
 * `UPDATE table SET file = NULL WHERE id IN (…) AND file IN (…);` in one transaction. The second
 * condition keeps a row untouched if its file column changed since the audit (a new upload).
 */
export function sqlUpdate(options: SqlUpdateOptions): SqlUpdate {
  const { dialect, write } = options;
  const table = quoteTable(options.table, dialect);
  const id = quoteIdentifier(options.idColumn, dialect);
  const file = quoteIdentifier(options.fileColumn, dialect);
  let ids = new Set<string>();
  let references = new Set<string>();
  let chars = 0;
  let rows = 0;
  let leftOut = 0;
  let begun = false;

  function flush(): void {
    if (ids.size === 0) return;
    if (!begun) {
      write('-- logo-fallback audit --sql-update: the rows whose file is missing get NULL in their file column.\n');
      write(dialect === 'mysql' ? 'START TRANSACTION;\n' : 'BEGIN;\n');
      begun = true;
    }
    const list = (values: Set<string>): string => [...values].map((value) => quoteString(value, dialect)).join(', ');
    write(`UPDATE ${table} SET ${file} = NULL WHERE ${id} IN (${list(ids)}) AND ${file} IN (${list(references)});\n`);
    ids = new Set();
    references = new Set();
    chars = 0;
  }

  return {
    add(rowId, reference) {
      if (UNWRITABLE.test(rowId) || UNWRITABLE.test(reference)) {
        leftOut++;
        return;
      }
      rows++;
      if (!ids.has(rowId)) chars += rowId.length + 4;
      if (!references.has(reference)) chars += reference.length + 4;
      ids.add(rowId);
      references.add(reference);
      if (ids.size >= BATCH_ROWS || chars >= BATCH_CHARS) flush();
    },
    end() {
      flush();
      if (begun) write('COMMIT;\n');
    },
    get rows() {
      return rows;
    },
    get leftOut() {
      return leftOut;
    },
  };
}
