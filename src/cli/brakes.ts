/**
 * The audit's brakes (§ "never cry wolf"): a storage that looks unmounted or empty — most checked
 * references missing, or nothing there at all — stops the audit with exit 3 before any repair
 * output is written. Why a brake fires is said in one sentence, for the report and stderr.
 */
import type { AuditSummary } from './audit.js';
import type { ListingChecker } from './listing.js';
import { plural } from './output.js';
import type { Storage } from '../storage/types.js';

/**
 * The share brake (`--max-missing`) judges from this many checked references on. Below it a share
 * says little — 1 missing of 1 is 100% — so a small audit stops only when the storage holds no
 * file at all (an unmounted volume's empty mount point), which one look at a listing tells.
 */
export const MIN_SAMPLE = 20;

/** What the brakes look at once every record is read. */
export interface BrakeInput {
  summary: AuditSummary;
  /** The listing the keys were checked against, if they were. */
  listing: ListingChecker | undefined;
  /** The storage, to look whether it holds any file when the sample is too small to judge by share. */
  storage: Storage;
  /** `--prefix`: where files are looked for. */
  prefix: string;
  /** `--max-missing`: a share from 0 to 1. */
  maxMissing: number;
}

/** Whether the storage lists no file under `prefix`; `undefined` when it cannot list, or the listing fails. */
async function holdsNoFile(storage: Storage, prefix: string): Promise<boolean | undefined> {
  if (storage.list === undefined) return undefined;
  try {
    // The first entry answers: the walk or the request stops there.
    for await (const entry of storage.list(prefix)) {
      void entry;
      return false;
    }
    return true;
  } catch {
    return undefined;
  }
}

function where(prefix: string): string {
  return prefix === '' ? 'the storage' : `the prefix ${JSON.stringify(prefix)}`;
}

/** Why the storage looks unmounted or empty, if it does (exit 3). */
export async function brakeReason({ summary, listing, storage, prefix, maxMissing }: BrakeInput): Promise<string | undefined> {
  if (listing !== undefined && listing.listed === 0 && listing.answered > 0) {
    return `the listing of ${where(listing.prefix)} is empty while ${plural(listing.answered, 'reference')} point${listing.answered === 1 ? 's' : ''} into it: the storage looks unmounted or empty`;
  }
  const checked = summary.present + summary.missing;
  if (checked === 0 || summary.missing / checked <= maxMissing) return undefined;
  const verb = summary.missing === 1 ? 'is' : 'are';
  if (checked < MIN_SAMPLE) {
    if (summary.present > 0 || listing !== undefined || (await holdsNoFile(storage, prefix)) !== true) return undefined;
    return `${plural(summary.missing, 'checked reference')} ${verb} missing and ${where(prefix)} holds no file at all: the storage looks unmounted or empty`;
  }
  const percent = ((summary.missing / checked) * 100).toFixed(1).replace(/\.0$/, '');
  return `${summary.missing.toLocaleString('en')} of ${plural(checked, 'checked reference')} (${percent}%) ${verb} missing, more than --max-missing ${maxMissing}: the storage looks unmounted or empty`;
}
