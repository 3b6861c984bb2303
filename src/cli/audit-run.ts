/**
 * `logo-fallback audit`: wires the flags, the storage, the input, the way keys are checked, the
 * report and the repair outputs together, applies the brakes and settles the exit status.
 */
import { audit, type AuditResult, type MissingReference } from './audit.js';
import { parseAuditArgs, UsageError, type AuditArgs } from './audit-args.js';
import { auditStorage } from './audit-storage.js';
import { brakeReason } from './brakes.js';
import { AUDIT_USAGE } from './audit-usage.js';
import { perKeyChecker, type Checker, type Outcome } from './checks.js';
import { InputError, openInput, type Input } from './input.js';
import { listingChecker, type ListingChecker } from './listing.js';
import { listOrphans, type OrphanCounts } from './orphans.js';
import { createWriter, plural, type TextSink } from './output.js';
import { createProgress, problemCount } from './progress.js';
import { readRecords, type InputItem } from './read-records.js';
import { jsonReport, tableReport } from './report.js';
import { sqlUpdate } from './sql.js';
import { stageOutput, type StagedOutput } from './staged.js';
import type { Storage } from '../storage/types.js';

/** Where the command reads and writes; tests pass their own. */
export interface AuditStreams {
  stdin: NodeJS.ReadableStream;
  stdout: TextSink;
  stderr: TextSink & { isTTY?: boolean };
}

/** With `--check auto`, an input with more records than this is checked against a listing. */
export const AUTO_LIST_THRESHOLD = 5000;

/** The exit status when the brakes stop the audit: the storage looks unmounted, empty or unreachable. */
export const EXIT_BRAKE = 3;

type Lister = Storage & Required<Pick<Storage, 'list'>>;

/** Reads batches until `count` items are in hand (or the input ends), and gives them back with the rest. */
async function peek(batches: AsyncGenerator<InputItem[]>, count: number): Promise<{ items: number; ended: boolean; all: AsyncGenerator<InputItem[]> }> {
  const head: InputItem[][] = [];
  let items = 0;
  let ended = false;
  while (items <= count) {
    const next = await batches.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    head.push(next.value);
    items += next.value.length;
  }
  async function* all(): AsyncGenerator<InputItem[]> {
    yield* head.splice(0);
    yield* batches;
  }
  return { items, ended, all: all() };
}

function failingChecker(reason: string): Checker {
  const outcome: Outcome = { kind: 'fault', reason };
  return { check: () => outcome, close() {} };
}

async function stage(destination: string, flag: string, stdout: TextSink): Promise<StagedOutput> {
  try {
    return await stageOutput(destination, stdout);
  } catch (error) {
    throw new UsageError(`${flag} ${destination}: cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Why the input, read to its end, cannot be audited (exit 2): it holds no records — an export that
 * failed (a 0-byte file, a CSV header alone, `[]`) must not pass for "nothing is broken" unless
 * `--allow-empty` says an empty table is expected — or none of its records has the file field.
 */
function inputProblem(args: AuditArgs, input: Input, result: AuditResult): string | undefined {
  const { summary } = result;
  if (summary.checked === 0 && !args.allowEmpty) {
    const label = args.input === '-' ? 'stdin' : args.input;
    const what = input.empty ? (input.bytesRead() === 0 ? 'it is empty (0 bytes)' : 'it holds only white space') : input.format === 'csv' ? 'it holds no records (a header row at most)' : 'it holds an empty list of records';
    return `no records read from ${label}: ${what}. An export that failed looks the same, so this is not a clean audit; pass --allow-empty if an empty table is expected`;
  }
  const read = summary.checked - summary.malformed;
  if (input.format !== 'csv' && read > 0 && !result.fileFieldSeen) {
    const fields = result.firstRecordFields?.length ? result.firstRecordFields.join(', ') : 'no fields';
    return `no record has a field named ${args.fileFields.join(' or ')}${read === 1 ? ` (the one record read has ${fields})` : ''}: name the field with --file-field, or, if the records are inside one object, its array with --json-path`;
  }
  return undefined;
}

/** How keys are checked: per key, or against a listing (`--check`, and `auto`'s look at the input). */
async function chooseChecker(
  args: AuditArgs,
  storage: Storage,
  batches: AsyncGenerator<InputItem[]>,
  notes: string[],
  onListed: (files: number) => void,
): Promise<{ checker: Checker; listing: ListingChecker | undefined; batches: AsyncGenerator<InputItem[]> }> {
  const perKey = perKeyChecker(storage, { concurrency: args.concurrency, timeout: args.timeout });
  const canList = typeof storage.list === 'function';
  if ((args.check === 'list' || args.orphans) && !canList) {
    throw new UsageError(`${args.orphans ? '--orphans' : '--check list'} needs a storage that can list: the ${storage.name} storage cannot`);
  }
  let list = args.check === 'list' || args.orphans;
  // On local disk a check is one system call, no more than the walk spends per file: listing pays
  // only where each check is a request (S3, unstorage), and then only for a large input.
  if (args.check === 'auto' && canList && !list && storage.existsSync === undefined) {
    const seen = await peek(batches, AUTO_LIST_THRESHOLD);
    batches = seen.all;
    list = seen.items > AUTO_LIST_THRESHOLD;
  }
  if (!list) return { checker: perKey, listing: undefined, batches };
  try {
    const listing = await listingChecker(storage as Lister, {
      prefix: args.prefix,
      fallback: perKey,
      confirmMissing: storage.existsSync !== undefined,
      keepFiles: args.orphans,
      onEntry: onListed,
    });
    return { checker: listing, listing, batches };
  } catch (error) {
    const reason = `listing the storage failed: ${error instanceof Error ? error.message.replace(/^\[logo-fallback\] /, '') : String(error)}`;
    if (args.check === 'auto' && !args.orphans) {
      notes.push(`${reason}; checked one file at a time instead`);
      return { checker: perKey, listing: undefined, batches };
    }
    notes.push(reason);
    return { checker: failingChecker(reason), listing: undefined, batches };
  }
}

/** Runs `logo-fallback audit <argv>`; resolves to the exit status. Throws `UsageError` / `InputError` (exit 2). */
export async function runAudit(argv: string[], io: AuditStreams): Promise<number> {
  const args = parseAuditArgs(argv);
  if (args === undefined) {
    io.stdout.write(`${AUDIT_USAGE}\n`);
    return 0;
  }
  const { storage, contexts } = await auditStorage(args.storage, args.timeout);
  const input = await openInput(args.input, args.format, io.stdin as never);
  // A repair output on stdout pushes the report to stderr (and the progress line away).
  const repairOnStdout = args.sql?.output === '-' || args.restoreList === '-';
  const out = createWriter(repairOnStdout ? io.stderr : io.stdout);
  const progress = createProgress(input, repairOnStdout ? { write: () => undefined, isTTY: false } : io.stderr);
  const staged: StagedOutput[] = [];
  const notes: string[] = [];
  try {
    const sqlStage = args.sql === undefined ? undefined : await stage(args.sql.output, args.sql.output === '-' ? '--sql-update' : '--sql-out', io.stdout);
    if (sqlStage !== undefined) staged.push(sqlStage);
    const restoreStage = args.restoreList === undefined ? undefined : await stage(args.restoreList, '--restore-list', io.stdout);
    if (restoreStage !== undefined) staged.push(restoreStage);
    const sql = args.sql === undefined || sqlStage === undefined ? undefined : sqlUpdate({ ...args.sql, write: (text) => sqlStage.writer.write(text) });
    const restored = new Set<string>();
    let withoutId = 0;
    let inexactId = 0;
    const onMissing = (missing: MissingReference): void => {
      if (sql !== undefined) {
        if (missing.idProblem !== undefined) inexactId++;
        else if (missing.id === null) withoutId++;
        else sql.add(missing.id, missing.reference);
      }
      if (restoreStage !== undefined && !restored.has(missing.key)) {
        restored.add(missing.key);
        restoreStage.writer.write(`${missing.key}\n`);
      }
    };

    const records = input.empty ? (async function* () {})() : readRecords(input, { fileFields: args.fileFields, idField: args.idField, delimiter: args.delimiter, jsonPath: args.jsonPath });
    const chosen = await chooseChecker(args, storage, records, notes, progress.listing);
    const report = args.json ? jsonReport(out, args.orphans) : tableReport(out);
    const result = await audit(chosen.batches, {
      checker: chosen.checker,
      contexts,
      idField: args.idField,
      nameFields: args.nameFields,
      fileFields: args.fileFields,
      onProblem: report.problem,
      onMissing,
      maxFaults: args.maxFaults,
      async afterBatch(summary) {
        progress.update(summary);
        await Promise.all([out.flush(), ...staged.map((output) => output.writer.flush())]);
      },
    }).finally(() => progress.done());
    const { summary } = result;

    const error = inputProblem(args, input, result);
    const brake = result.stopped ?? (error === undefined ? await brakeReason({ summary, listing: chosen.listing, storage, prefix: args.prefix, maxMissing: args.maxMissing }) : undefined);
    let orphans: OrphanCounts | undefined;
    if (error !== undefined) {
      // Every file would be an orphan of an input without records.
    } else if (chosen.listing?.files !== undefined && brake === undefined) {
      orphans = listOrphans(chosen.listing.files, args.minAge, Date.now(), report.orphan);
      if (summary.malformed > 0) notes.push(`${plural(summary.malformed, 'malformed line')} could not be read: files they reference may be listed as orphans`);
    } else if (args.orphans) {
      notes.push(`orphans are not listed: ${brake === undefined ? 'the storage could not be listed' : result.stopped === undefined ? 'the storage looks unmounted or empty' : 'the storage is unreachable'}`);
    }
    report.end({ summary, orphans, brake, error });
    await out.flush();
    if (error !== undefined) throw new InputError(error);
    if (brake !== undefined) {
      const advice = result.stopped === undefined ? 'If the storage is right, raise --max-missing.' : `Check the storage (and --timeout); --max-faults ${args.maxFaults} set this brake (0: never stop).`;
      notes.push(`stopped: ${brake}. ${staged.length > 0 ? 'No repair output was written. ' : ''}${advice}`);
    } else {
      sql?.end();
      if (withoutId > 0) notes.push(`${plural(withoutId, 'missing reference')} without an id ${withoutId === 1 ? 'is' : 'are'} not in the SQL`);
      if (inexactId > 0) notes.push(`${plural(inexactId, 'missing reference')} whose id is not a whole number read exactly ${inexactId === 1 ? 'is' : 'are'} not in the SQL (the report says why)`);
      if (sql !== undefined && sql.leftOut > 0) notes.push(`${plural(sql.leftOut, 'row')} with a control character in the id left out of the SQL`);
      for (const output of staged) await output.commit();
    }
    return brake !== undefined ? EXIT_BRAKE : problemCount(summary) + (orphans?.count ?? 0) > 0 ? 1 : 0;
  } finally {
    await Promise.all(staged.map((output) => output.discard()));
    for (const note of notes) io.stderr.write(`logo-fallback: ${note}\n`);
  }
}
