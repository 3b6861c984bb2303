/**
 * `logo-fallback audit` at scale (issue 11 §1), as ratios measured in one run:
 * - local disk, 100,000 NDJSON records (90% present, one file each, 300 directories): the audit
 *   checking key by key, and listing, against a plain Node loop of `existsSync` over the records —
 *   and the floors of both mechanisms (an `lstatSync` per record; the directory walk alone);
 * - S3 (s3rver on 127.0.0.1), 20,000 objects: requests and time of one listing against one
 *   signed HEAD per record;
 * - memory: peak RSS of the CLI over 1,000,000 records with 100,000 problems, and what a listing
 *   holds per million keys.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { perKeyChecker } from '../src/cli/checks.js';
import { main } from '../src/cli/index.js';
import { listingChecker } from '../src/cli/listing.js';
import { fsStorage, type Storage, type StorageEntry } from '../src/index.js';
import { fsInternals } from '../src/storage/fs.js';
import { S3RVER_CREDENTIALS, startS3 } from '../test/storage/servers.js';
import { median, pairedRatio, printTable } from './measure.js';

const RECORDS = 100_000;
const DIRECTORIES = 300;
const ROUNDS = 5;
const S3_OBJECTS = 20_000;
const BIG = 1_000_000;

const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-audit-bench-'));
const root = path.join(base, 'media');
const keyOf = (i: number) => `base/company/icon/d${i % DIRECTORIES}/logo-${i}.png`;
const present = (i: number) => i % 10 !== 0;

function writeRecords(file: string, count: number, keyIndex: (i: number) => number): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`{"id":${i},"company":"Company ${i} Ltd","icon":"${keyOf(keyIndex(i))}"}\n`);
  writeFileSync(file, lines.join(''));
}

/** Runs the CLI in this process, output thrown away; resolves to ms. */
async function cli(args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  const code = await main(['audit', ...args], { stdin: Readable.from([]), stdout: { write: () => true }, stderr: { write: () => true, isTTY: false } });
  if (code !== 1) throw new Error(`bench: audit ${args.join(' ')} exited ${code}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Reads the records as the baseline does, and calls `check` with each record's path; ms. */
function recordLoop(file: string, check: (full: string) => boolean): number {
  const started = process.hrtime.bigint();
  let found = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    if (check(path.join(root, (JSON.parse(line) as { icon: string }).icon))) found++;
  }
  if (found !== RECORDS * 0.9) throw new Error(`bench: the loop found ${found} files`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** A walk of the whole root with the fs driver's synchronous listing (what `--check list` reads); ms. */
function walk(stat: boolean): number {
  const started = process.hrtime.bigint();
  let files = 0;
  for (const _ of fsInternals(fsStorage({ root }))?.listSync('', { stat }) ?? []) files++;
  if (files !== RECORDS * 0.9) throw new Error(`bench: the walk found ${files} files`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The media root both the local-disk and the memory parts audit: 90% of RECORDS files, made once. */
function makeMedia(): void {
  if (existsSync(root)) return;
  for (let d = 0; d < DIRECTORIES; d++) mkdirSync(path.join(root, `base/company/icon/d${d}`), { recursive: true });
  for (let i = 0; i < RECORDS; i++) if (present(i)) writeFileSync(path.join(root, keyOf(i)), 'png');
}

async function localDisk(): Promise<void> {
  makeMedia();
  const file = path.join(base, 'records.ndjson');
  writeRecords(file, RECORDS, (i) => i);
  const flags = ['--root', root, '--max-missing', '1', file];
  // The baseline — what anyone would write first — then the audit both ways, then what the
  // mechanisms cost on their own: the system call a check needs, and the walk a listing needs.
  const ways: Array<{ name: string; run: () => number | Promise<number> }> = [
    { name: 'plain `existsSync` loop (baseline)', run: () => recordLoop(file, (full) => existsSync(full)) },
    { name: 'audit `--check head` (one check per key)', run: () => cli(['--check', 'head', ...flags]) },
    { name: 'audit `--check list` (one walk, sizes included)', run: () => cli(['--check', 'list', ...flags]) },
    { name: 'floor of a check: the same loop with `lstatSync` (type and size: what "present" needs)', run: () => recordLoop(file, (full) => lstatSync(full, { throwIfNoEntry: false }) !== undefined) },
    { name: 'floor of a listing: the walk alone, names only (one `readdir` per directory)', run: () => walk(false) },
    { name: 'the walk alone, sizes included (+ one `lstat` per file)', run: () => walk(true) },
  ];
  const times = ways.map(() => [] as number[]);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, way] of ways.entries()) {
      const ms = await way.run();
      if (round > 0) times[i]?.push(ms); // round 0 warms up: page cache, JIT
    }
  }
  const loop = times[0] as number[];
  console.log(`## Audit on local disk: ${RECORDS.toLocaleString('en')} NDJSON records, 90% present, one file each in ${DIRECTORIES} directories (median of ${ROUNDS} paired rounds)\n`);
  printTable(
    ['way', 'time (abs.)', '÷ existsSync loop'],
    ways.map((way, i) => [way.name, `${median(times[i] as number[]).toFixed(0)} ms`, i === 0 ? '1.00×' : `${pairedRatio(times[i] as number[], loop).toFixed(2)}×`]),
  );
}

async function s3(): Promise<void> {
  // Keys in 20 folders, as uploads usually are (Django's upload_to='logos/%Y/%m/'): s3rver walks a
  // folder again for every page it lists, so 20,000 objects in one folder would make each of its
  // pages cost O(all objects) — an artefact of the emulator that S3 itself does not have.
  const keyFor = (i: number) => `logos/${String(i % 20).padStart(2, '0')}/${i}.png`;
  const objects = new Map(Array.from({ length: S3_OBJECTS }, (_, i) => [keyFor(i), Buffer.from('png')] as const));
  const server = await startS3(objects, 'media', { via: 'store' });
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey });
  try {
    const file = path.join(base, 's3.ndjson');
    // 22,000 records: every object once, and 2,000 references to objects that are not there.
    const lines = Array.from({ length: S3_OBJECTS + 2000 }, (_, i) => `{"id":${i},"icon":"${keyFor(i)}"}\n`);
    writeFileSync(file, lines.join(''));
    const flags = ['--s3-bucket', server.bucket, '--s3-endpoint', server.origin, '--s3-path-style', '--max-missing', '1', file];
    const rows: string[][] = [];
    const result: Record<string, { ms: number; requests: number }> = {};
    for (const check of ['list', 'head']) {
      server.requests.length = 0;
      const ms = await cli(['--check', check, ...flags]);
      result[check] = { ms, requests: server.requests.length };
      rows.push([`\`--check ${check}\``, lines.length.toLocaleString('en'), server.requests.length.toLocaleString('en'), `${(ms / 1000).toFixed(2)} s`]);
    }
    console.log(`## Audit against S3 (s3rver on 127.0.0.1): ${S3_OBJECTS.toLocaleString('en')} objects in 20 folders, ${lines.length.toLocaleString('en')} records\n`);
    printTable(['way', 'records', 'requests', 'wall time'], rows);
    const { list, head } = result as Record<'list' | 'head', { ms: number; requests: number }>;
    console.log(
      `Listing: ${list.requests} requests for ${S3_OBJECTS.toLocaleString('en')} objects (goal ≤ ${Math.ceil(S3_OBJECTS / 1000)} + a constant); ` +
        `one HEAD per record takes ${(head.ms / list.ms).toFixed(1)}× as long (goal ≥ 10×).\n`,
    );
  } finally {
    process.env = saved;
    await server.close();
  }
}

/**
 * Peak RSS (MiB) of the compiled CLI (dist/, which `npm run bench` builds first) run in a child
 * process: the child's own VmHWM from /proc/self/status. Not `process.resourceUsage().maxRSS`:
 * Linux carries a process's peak across fork and exec, so a child spawned by this bench reported
 * the bench's own peak (151 MiB for every run, `--version` included).
 */
function peakRss(args: string[]): number {
  const cliPath = fileURLToPath(new URL('../dist/src/cli/index.js', import.meta.url));
  const script = `const { main } = await import(${JSON.stringify(cliPath)}); const code = await main(${JSON.stringify(args)}); const { readFileSync } = await import('node:fs'); process.stderr.write('EXIT ' + code + ' HWM ' + /VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1] + '\\n');`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 20 });
  const [, code, rss] = /EXIT (\d+) HWM (\d+)/.exec(child.stderr) ?? [];
  if (rss === undefined) throw new Error(`bench: the child failed (is dist/ built? npm run build): ${child.stderr.slice(-2000)}`);
  // --version exits 0; an audit that found the missing files, 1 — anything else measured a failure.
  if (code !== (args[0] === 'audit' ? '1' : '0')) throw new Error(`bench: ${args.join(' ')} exited ${code}: ${child.stderr.slice(-2000)}`);
  return Number(rss) / 1024;
}

/** Heap bytes per listed key, measured over a listing of `count` synthetic keys. */
async function listingBytesPerKey(count: number, keepFiles: boolean): Promise<number> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const storage: Storage & Required<Pick<Storage, 'list'>> = {
    name: 'synthetic',
    exists: async () => false,
    url: (key) => key,
    async *list(): AsyncGenerator<StorageEntry> {
      for (let i = 0; i < count; i++) yield { key: keyOf(i), size: 1000, modified: 1.7e12 };
    },
  };
  gc();
  const before = process.memoryUsage().heapUsed;
  const checker = await listingChecker(storage, { prefix: '', fallback: perKeyChecker(storage, { concurrency: 1, timeout: 1000 }), confirmMissing: false, keepFiles });
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / count;
  if (checker.listed !== count) throw new Error('bench: the listing lost keys');
  return bytes;
}

async function memory(): Promise<void> {
  makeMedia();
  const file = path.join(base, 'million.ndjson');
  // 1,000,000 records over the 100,000 files above: 10% of the keys are missing, so 100,000 problems.
  writeRecords(file, BIG, (i) => i % RECORDS);
  const baseline = peakRss(['--version']);
  const head = peakRss(['audit', '--check', 'head', '--root', root, '--max-missing', '1', file]);
  const json = peakRss(['audit', '--check', 'head', '--root', root, '--max-missing', '1', '--json', file]);
  const list = peakRss(['audit', '--check', 'list', '--root', root, '--max-missing', '1', file]);
  console.log(`## Audit memory: ${BIG.toLocaleString('en')} records, 100,000 problems, 100,000 distinct files (peak RSS of the whole process, the compiled CLI)\n`);
  printTable(
    ['run', 'peak RSS'],
    [
      ['`logo-fallback --version` (the floor: Node and the CLI)', `${baseline.toFixed(0)} MiB`],
      ['audit `--check head`, table', `${head.toFixed(0)} MiB`],
      ['audit `--check head`, `--json`', `${json.toFixed(0)} MiB`],
      ['audit `--check list`, table', `${list.toFixed(0)} MiB`],
    ],
  );
  const set = await listingBytesPerKey(BIG, false);
  const map = await listingBytesPerKey(BIG, true);
  console.log(`A listing holds ${((set * 1e6) / 2 ** 20).toFixed(0)} MiB per million keys (${map === set ? '' : `${((map * 1e6) / 2 ** 20).toFixed(0)} MiB with --orphans, which keeps size and time; `}keys like "${keyOf(123_456)}").\n`);
}

// `npx tsx bench/audit.ts local` (or `s3`, `memory`) runs one part; no argument runs them all.
const only = new Set(process.argv.slice(2).filter((arg) => ['local', 's3', 'memory'].includes(arg)));
try {
  if (only.size === 0 || only.has('local')) await localDisk();
  if (only.size === 0 || only.has('s3')) await s3();
  if (only.size === 0 || only.has('memory')) await memory();
} finally {
  rmSync(base, { recursive: true, force: true });
}
