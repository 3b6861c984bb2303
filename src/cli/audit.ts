/**
 * The audit itself: every record's file reference is judged by the resolver's own key rules
 * (`parseReference`) and checked with the storage's own `exists`, a bounded number at a time.
 * It only reads: nothing is written to the storage or to the input.
 */
import { LRUCache } from 'lru-cache';
import { LogoFallbackError } from '../errors.js';
import { parseReference } from '../keys.js';
import { displayName, fileReference, readField } from '../records.js';
import type { Storage } from '../storage/types.js';
import type { InputItem } from './read-records.js';

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

/** What the audit needs to know. */
export interface AuditSettings {
  storage: Storage;
  idField: string;
  nameFields: readonly string[];
  fileFields: readonly string[];
  /** Checks running at once. */
  concurrency: number;
  /** How long one storage check may take, ms. */
  timeout: number;
  /** Called after every record (throttle it yourself). */
  onProgress?: (summary: Readonly<AuditSummary>, problems: number) => void;
}

type Outcome = { kind: 'present' | 'missing' } | { kind: 'unsafe' | 'fault'; reason: string };

function idOf(record: object, field: string): string | null {
  const value = readField(record, [field]);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : null;
}

function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([work(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

/** Audits records streamed from `items`; resolves when all are checked. Rejects only for unreadable input. */
export async function audit(items: AsyncIterable<InputItem>, settings: AuditSettings): Promise<{ summary: AuditSummary; problems: AuditProblem[] }> {
  const { storage } = settings;
  const summary: AuditSummary = { checked: 0, present: 0, missing: 0, unsafe: 0, fault: 0, malformed: 0, noFile: 0, external: 0 };
  const problems: AuditProblem[] = [];
  const context = { baseUrl: storage.baseUrl, root: storage.root };
  // Many records often share one file (a default logo): check each key once. Bounded.
  const checked = new LRUCache<string, Promise<Outcome>>({ max: 10_000 });

  async function check(key: string): Promise<Outcome> {
    try {
      return (await withTimeout((signal) => storage.exists(key, signal), settings.timeout)) ? { kind: 'present' } : { kind: 'missing' };
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^\[logo-fallback\] /, '') : String(error);
      const refused = error instanceof LogoFallbackError && error.code === 'INVALID_KEY';
      return { kind: refused ? 'unsafe' : 'fault', reason: message };
    }
  }

  async function judge(item: InputItem): Promise<void> {
    summary.checked++;
    if ('malformed' in item) {
      summary.malformed++;
      problems.push({ id: null, name: null, reference: null, line: item.line, reason: `malformed: ${item.malformed}` });
      return;
    }
    const { record, line } = item;
    const reference = fileReference(readField(record, settings.fileFields));
    if (reference === undefined) {
      summary.noFile++;
      return;
    }
    const problem = (reason: string): void => {
      problems.push({ id: idOf(record, settings.idField), name: displayName(readField(record, settings.nameFields)) ?? null, reference, line, reason });
    };
    const parsed = parseReference(reference, context);
    if (parsed.kind === 'external') {
      summary.external++;
      return;
    }
    if (parsed.kind === 'invalid') {
      summary.unsafe++;
      problem(`unsafe: ${parsed.reason}`);
      return;
    }
    let pending = checked.get(parsed.key);
    if (pending === undefined) {
      pending = check(parsed.key);
      checked.set(parsed.key, pending);
    }
    const outcome = await pending;
    summary[outcome.kind]++;
    if ('reason' in outcome) problem(`${outcome.kind}: ${outcome.reason}`);
    else if (outcome.kind === 'missing') problem('missing');
  }

  const iterator = items[Symbol.asyncIterator]();
  const worker = async (): Promise<void> => {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      await judge(next.value);
      settings.onProgress?.(summary, problems.length);
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  problems.sort((a, b) => a.line - b.line);
  return { summary, problems };
}
