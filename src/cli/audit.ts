/**
 * The audit itself: every record's file reference is judged by the resolver's own key rules
 * (`parseReference`) and answered by a {@link Checker} (per key, or from a listing). Problems are
 * handed on in input order as soon as they are known; nothing grows with the number of records or
 * of problems but a bounded window of records waiting for a slow check.
 */
import { parseReference, type KeyContext } from '../keys.js';
import { displayName, fileReference, readField } from '../records.js';
import { MISSING, type Checker, type Outcome } from './checks.js';
import { plural } from './output.js';
import type { InputItem } from './read-records.js';
import { recordId, type RecordId } from './record-id.js';

/** Counts of what the audit found. Every record read lands in exactly one count besides `checked`. */
export interface AuditSummary {
  /** Records (and malformed lines) read. */
  checked: number;
  present: number;
  missing: number;
  /** References the key rules refuse (traversal, a foreign scheme, control characters, …). */
  unsafe: number;
  /** Checks the storage could not answer (permissions, network, timeout). */
  fault: number;
  /** Lines that are not a record. */
  malformed: number;
  /** Records without a file: counted, not listed (their page shows the avatar, as intended). */
  noFile: number;
  /** References to another site (returned unchanged by the filters): counted, not checked. */
  external: number;
}

/** One listed problem. `reason` starts with its kind: `missing`, `unsafe`, `fault` or `malformed`. */
export interface AuditProblem {
  id: string | null;
  name: string | null;
  reference: string | null;
  line: number;
  reason: string;
}

/** A missing reference, for the repair outputs. */
export interface MissingReference {
  /** The id a repair names the row by; `null` when the record has none, or none read exactly (`idProblem` says why). */
  id: string | null;
  idProblem?: string | undefined;
  reference: string;
  key: string;
}

/** What the audit needs to know. */
export interface AuditSettings {
  /** Answers keys. */
  checker: Checker;
  /**
   * How references are read: the storage's own base URL and root first, then other base URLs
   * that are "ours" too (the app's `/media/` path in front of a CDN).
   */
  contexts: readonly KeyContext[];
  idField: string;
  nameFields: readonly string[];
  fileFields: readonly string[];
  /** Each problem, in input order, as soon as it and every one before it are known. */
  onProblem(problem: AuditProblem): void;
  /** Each missing reference (also an `onProblem`), in input order. */
  onMissing?(missing: MissingReference): void;
  /** After each batch of input; `await`ed, so that a slow output slows the reading. */
  afterBatch?(summary: Readonly<AuditSummary>): void | Promise<void>;
  /**
   * At most this many records wait for a slow check at once; then reading waits.
   * @default 16384
   */
  window?: number;
  /**
   * Stop reading once this many checks in a row (in input order) were faults: the storage is
   * unreachable, and every further check would only wait for its timeout. `0` never stops.
   * @default 0
   */
  maxFaults?: number;
}

/** What the audit found, and what the input looked like. */
export interface AuditResult {
  summary: AuditSummary;
  /** Whether any record carried one of the file fields at all (a record without it counts as "no file"). */
  fileFieldSeen: boolean;
  /** The top-level fields of the first record that lacked every file field, for an error message. */
  firstRecordFields: readonly string[] | undefined;
  /** Why the audit stopped before the end of the input (`maxFaults` checks in a row failed), if it did. */
  stopped: string | undefined;
}

const NO_FILE: Outcome = { kind: 'noFile' };
const EXTERNAL: Outcome = { kind: 'external' };
/** Characters of id, name and reference a waiting record may hold, all together. */
const WINDOW_CHARS = 1 << 24;

interface Waiting {
  readonly line: number;
  readonly id: RecordId | null;
  readonly name: string | null;
  readonly reference: string | null;
  readonly key: string | null;
  readonly pending: Promise<Outcome>;
  outcome: Outcome | undefined;
}

function charsOf(entry: Waiting): number {
  return (entry.reference?.length ?? 0) + (entry.id?.text.length ?? 0) + (entry.name?.length ?? 0);
}

function idOf(item: Extract<InputItem, { record: object }>, field: string): RecordId | null {
  return recordId(readField(item.record, [field]), item.idLiteral);
}

/** Reads a reference with each context in turn: the first that makes it ours decides. */
function parse(reference: string, contexts: readonly KeyContext[]) {
  let parsed = parseReference(reference, contexts[0]);
  for (let i = 1; i < contexts.length && parsed.kind === 'external'; i++) parsed = parseReference(reference, contexts[i]);
  return parsed;
}

/** Audits the records of `batches` (arrays of input items, in order). Rejects only for unreadable input. */
export async function audit(batches: AsyncIterable<readonly InputItem[]>, settings: AuditSettings): Promise<AuditResult> {
  const { checker, contexts, fileFields, onProblem, onMissing } = settings;
  const summary: AuditSummary = { checked: 0, present: 0, missing: 0, unsafe: 0, fault: 0, malformed: 0, noFile: 0, external: 0 };
  const windowSize = settings.window ?? 16_384;
  const waiting: Waiting[] = [];
  let head = 0;
  let waitingChars = 0;
  let fileFieldSeen = false;
  let firstRecordFields: string[] | undefined;
  const maxFaults = settings.maxFaults ?? 0;
  let faultsInARow = 0;
  let stopped: string | undefined;

  function finish(line: number, id: RecordId | null, name: string | null, reference: string | null, key: string | null, outcome: Outcome): void {
    if (stopped !== undefined) return; // checks that ended after the brake: not reported
    summary.checked++;
    summary[outcome.kind]++;
    // Only checks count: a record without a file, or an unsafe one, says nothing about the storage.
    if (outcome.kind === 'present' || outcome.kind === 'missing') faultsInARow = 0;
    else if (outcome.kind === 'fault' && ++faultsInARow >= maxFaults && maxFaults > 0) {
      stopped = `storage unreachable: ${plural(faultsInARow, 'check')} in a row failed (the last on line ${line}: ${outcome.reason})`;
    }
    if (!('reason' in outcome) && outcome !== MISSING) return;
    // A missing file whose row no repair can name says why (its id was not read exactly).
    const reason = 'reason' in outcome ? `${outcome.kind}: ${outcome.reason}` : id?.problem === undefined ? 'missing' : `missing: ${id.problem}`;
    onProblem({ id: id?.text ?? null, name, reference, line, reason });
    if (outcome === MISSING && reference !== null && key !== null) onMissing?.({ id: id?.repair ?? null, idProblem: id?.problem, reference, key });
  }

  function finishWaiting(entry: Waiting): void {
    finish(entry.line, entry.id, entry.name, entry.reference, entry.key, entry.outcome as Outcome);
    waitingChars -= charsOf(entry);
  }

  /** Hands on every record at the head of the window whose check has ended. */
  function drainReady(): void {
    while (head < waiting.length && (waiting[head] as Waiting).outcome !== undefined) finishWaiting(waiting[head++] as Waiting);
    if (head === waiting.length) {
      waiting.length = 0;
      head = 0;
    } else if (head >= 4096) {
      waiting.splice(0, head);
      head = 0;
    }
  }

  async function drainOne(): Promise<void> {
    const entry = waiting[head] as Waiting;
    entry.outcome ??= await entry.pending;
    drainReady();
  }

  function judge(item: InputItem): void {
    if ('malformed' in item) {
      if (head === waiting.length) finish(item.line, null, null, null, null, { kind: 'malformed', reason: item.malformed });
      else queueKnown(item.line, null, null, null, null, { kind: 'malformed', reason: item.malformed });
      return;
    }
    const { record, line } = item;
    const reference = fileReference(readField(record, fileFields));
    let outcome: Outcome | Promise<Outcome>;
    let key: string | null = null;
    if (reference === undefined) {
      if (!fileFieldSeen) {
        fileFieldSeen = fileFields.some((field) => Object.prototype.hasOwnProperty.call(record, field));
        if (!fileFieldSeen) firstRecordFields ??= Object.keys(record).slice(0, 20);
      }
      outcome = NO_FILE;
    } else {
      fileFieldSeen = true;
      const parsed = parse(reference, contexts);
      if (parsed.kind === 'external') outcome = EXTERNAL;
      else if (parsed.kind === 'invalid') outcome = { kind: 'unsafe', reason: parsed.reason };
      else {
        key = parsed.key;
        outcome = checker.check(key);
      }
    }
    if (head === waiting.length && !(outcome instanceof Promise)) {
      const listed = outcome === MISSING || 'reason' in outcome;
      finish(line, listed ? idOf(item, settings.idField) : null, listed ? nameOf(record) : null, reference ?? null, key, outcome);
      return;
    }
    const id = idOf(item, settings.idField);
    const name = nameOf(record);
    if (outcome instanceof Promise) {
      const entry: Waiting = { line, id, name, reference: reference ?? null, key, pending: outcome, outcome: undefined };
      void outcome.then((settled) => (entry.outcome = settled));
      push(entry);
    } else {
      queueKnown(line, id, name, reference ?? null, key, outcome);
    }
  }

  function nameOf(record: object): string | null {
    return displayName(readField(record, settings.nameFields)) ?? null;
  }

  function queueKnown(line: number, id: RecordId | null, name: string | null, reference: string | null, key: string | null, outcome: Outcome): void {
    push({ line, id, name, reference, key, pending: Promise.resolve(outcome), outcome });
  }

  function push(entry: Waiting): void {
    waiting.push(entry);
    waitingChars += charsOf(entry);
  }

  try {
    reading: for await (const batch of batches) {
      for (const item of batch) {
        judge(item);
        while (stopped === undefined && (waiting.length - head >= windowSize || waitingChars > WINDOW_CHARS)) await drainOne();
        // Leaving the loop ends the input (its file is closed); `close()` aborts the running checks.
        if (stopped !== undefined) break reading;
      }
      drainReady();
      await settings.afterBatch?.(summary);
      if (stopped !== undefined) break;
    }
    while (stopped === undefined && head < waiting.length) await drainOne();
  } finally {
    checker.close();
  }
  return { summary, fileFieldSeen, firstRecordFields, stopped };
}
