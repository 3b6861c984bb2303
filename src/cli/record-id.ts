/**
 * A record's id, read exactly. `JSON.parse` reads every number as a double: `9007199254740993`
 * becomes …992 (another row), `1e400` becomes `Infinity`, `1.0000000000000001` becomes 1. A report
 * or a repair that named those would name the wrong row, so a JSON number id that a double may not
 * carry is read again from its own digits (lossless-json), and a repair names a row only by a whole
 * number written out in plain digits. Strings (every CSV id) are exact already.
 */
import { isLosslessNumber, parse } from 'lossless-json';

/** A record's id: as the input wrote it, and as a repair may name its row. */
export interface RecordId {
  /** The id exactly as the input wrote it (a JSON number's own digits, not the double's). */
  readonly text: string;
  /** What a repair names the row by: a string id as it is, a number id as a whole number in plain digits (`1.0` → `1`, `1e3` → `1000`). */
  readonly repair: string | undefined;
  /** Why no repair may name the row, when `repair` is undefined. */
  readonly problem?: string;
}

/**
 * The most digits of a number id a repair uses: MySQL's DECIMAL(65), the widest SQL type an id
 * column is declared with in practice. It also bounds the text `1e999999999` would expand to.
 */
export const MAX_ID_DIGITS = 65;

/**
 * A JSON number literal without a fraction or an exponent that reads as a safe integer is that
 * integer exactly (one beyond 2^53 − 1 reads as a double that is not safe). So a safe integer is
 * taken as read unless the record holds a fraction or an exponent somewhere: the test runs over the
 * whole record, strings included, and a false hit only costs a second, exact parse of that record.
 */
const MAYBE_INEXACT = /\d[.eE][-+\d]/;

/**
 * The source text of the number at `record[idField]`, when `JSON.parse` may not have carried it
 * exactly (`value` is what it read). `undefined`: the double is exact (`String(value)` is the
 * text). Otherwise the literal, or why it cannot be had.
 */
export function numberIdLiteral(recordText: string, idField: string, value: number): { literal: string } | { problem: string } | undefined {
  if (Number.isSafeInteger(value) && !Object.is(value, -0) && !MAYBE_INEXACT.test(recordText)) return undefined;
  let exact: unknown;
  try {
    exact = (parse(recordText) as Record<string, unknown> | null)?.[idField];
  } catch (error) {
    // JSON.parse took the record, lossless-json did not: a key given twice (JSON.parse keeps the last).
    return { problem: `its ${idField} could not be read exactly (${(error as Error).message})` };
  }
  return isLosslessNumber(exact) ? { literal: exact.value } : { problem: `its ${idField} could not be read exactly` };
}

/**
 * A JSON number literal as a whole number in plain digits (`-0` → `0`, `1.50e2` → `150`), or why it
 * is none: not a whole number (`1.5`, `1.0000000000000001`), or more than {@link MAX_ID_DIGITS} digits.
 */
export function wholeNumber(literal: string): { digits: string } | { problem: string } {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (match === null) return { problem: `${literal} is not a JSON number` };
  const [, sign, whole, fraction = '', exponentText = '0'] = match as unknown as [string, string, string, string | undefined, string | undefined];
  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return { digits: '0' };
  let exponent = Number(exponentText) - fraction.length;
  const trailing = /0*$/.exec(digits)?.[0].length ?? 0;
  if (exponent < 0) {
    const dropped = Math.min(trailing, -exponent);
    digits = digits.slice(0, digits.length - dropped);
    exponent += dropped;
  }
  if (exponent < 0) return { problem: `the id ${literal} is not a whole number` };
  const length = digits.length + exponent;
  if (length > MAX_ID_DIGITS) return { problem: `the id ${literal} has ${length.toLocaleString('en')} digits, more than an id column holds (${MAX_ID_DIGITS}, MySQL's DECIMAL)` };
  return { digits: `${sign}${digits}${'0'.repeat(exponent)}` };
}

/**
 * The id of a record whose id field holds `value`; `literal` is what {@link numberIdLiteral} said
 * for it. `null` for no id (absent, `null`, an object).
 */
export function recordId(value: unknown, literal: { literal: string } | { problem: string } | undefined): RecordId | null {
  if (typeof value === 'string') return { text: value, repair: value };
  if (typeof value === 'bigint') return { text: String(value), repair: String(value) };
  if (typeof value !== 'number') return null;
  if (literal === undefined) return { text: String(value), repair: String(value) };
  if ('problem' in literal) return { text: String(value), repair: undefined, problem: `${literal.problem}, so no repair names this row: quote ids in the export` };
  const whole = wholeNumber(literal.literal);
  return 'digits' in whole
    ? { text: literal.literal, repair: whole.digits }
    : { text: literal.literal, repair: undefined, problem: `${whole.problem}, so no repair names this row: quote ids in the export` };
}
