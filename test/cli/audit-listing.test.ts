/**
 * "List once, merge" and orphans (issue 11 §1–3), against real storages on loopback: files on
 * disk, s3rver, unstorage's fs driver. A listing and one check per key give the same verdicts on
 * every fixture; the listing costs one request per 1,000 objects; orphans come with size, time and
 * total; an empty listing stops the audit.
 */
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createStorage } from 'unstorage';
import fsDriver from 'unstorage/drivers/fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { audit, type AuditProblem } from '../../src/cli/audit.js';
import { perKeyChecker } from '../../src/cli/checks.js';
import { listingChecker } from '../../src/cli/listing.js';
import type { InputItem } from '../../src/cli/read-records.js';
import { unstorageStorage, type Storage } from '../../src/index.js';
import { tempMedia } from '../helpers/media.js';
import { S3RVER_CREDENTIALS, startS3, statusServer } from '../storage/servers.js';
import { runCli } from './run-cli.js';

const PNG = Buffer.from('png');
const NFC = 'logos/caf\u00e9.png';
const NFD = 'logos/cafe\u0301.png';

/** Files every storage gets, and what records reference (more than the files: other cases, forms, unsafe keys). */
const FILES: Record<string, Buffer> = {
  'logos/a.png': PNG,
  'logos/empty.png': Buffer.alloc(0),
  'logos/dir.png/inside.png': PNG, // "logos/dir.png" is a directory (a key prefix on S3)
  'logos/Case.png': PNG,
  [NFC]: PNG,
  'logos/with space %41.png': PNG,
  'other/b.png': PNG,
};
const REFERENCES = ['logos/a.png', 'logos/empty.png', 'logos/dir.png', 'logos/Case.png', 'logos/case.png', NFC, NFD, 'logos/with space %41.png', 'logos/with space A.png', 'logos/gone.png', 'logos/../a.png', 'logos/dir.png/inside.png', '/media/logos/a.png', 'other/b.png'];

function ndjson(references: readonly string[]): string {
  return references.map((icon, i) => JSON.stringify({ id: i + 1, icon })).join('\n');
}

/** `[line, kind]` of every problem of a `--json` run. */
function verdicts(stdout: string): Array<[number, string]> {
  return (JSON.parse(stdout) as { problems: AuditProblem[] }).problems.map((p) => [p.line, p.reason.replace(/:.*/, '')]);
}

const EXPECTED: Array<[number, string]> = [
  [2, 'missing'], // empty file
  [3, 'missing'], // directory
  [5, 'missing'], // another case
  [7, 'missing'], // NFD, the file is NFC
  [9, 'missing'], // %41 is not decoded in a key
  [10, 'missing'],
  [11, 'unsafe'],
];

test('fs: --check list and --check head agree on every fixture (directory, empty file, case, NFC/NFD, symlinks in and out of the root)', async () => {
  const media = tempMedia(FILES);
  try {
    symlinkSync(path.join(media.root, 'logos/a.png'), path.join(media.root, 'logos/link.png'));
    symlinkSync('/etc/hostname', path.join(media.root, 'logos/out.png'));
    const references = [...REFERENCES, 'logos/link.png', 'logos/out.png'];
    const runs = await Promise.all(['head', 'list'].map((check) => runCli(['audit', '--root', media.root, '--check', check, '--max-missing', '1', '--json', '-'], ndjson(references))));
    for (const run of runs) assert.is(run.code, 1, run.stderr);
    assert.equal(verdicts(runs[0]?.stdout ?? ''), [...EXPECTED, [16, 'unsafe']], 'head: a symlink out of the root is refused');
    assert.equal(verdicts(runs[1]?.stdout ?? ''), verdicts(runs[0]?.stdout ?? ''), 'list agrees with head');
    assert.equal(JSON.parse(runs[1]?.stdout ?? '').summary, JSON.parse(runs[0]?.stdout ?? '').summary);
  } finally {
    media.cleanup();
  }
});

test('S3 (s3rver): a listing and one signed HEAD per key agree on every fixture; the listing sends no HEAD', async () => {
  const s3 = await startS3(new Map(Object.entries(FILES)));
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey });
  try {
    const flags = ['audit', '--s3-bucket', s3.bucket, '--s3-endpoint', s3.origin, '--s3-path-style', '--base-url', '/media/', '--max-missing', '1', '--json'];
    const head = await runCli([...flags, '--check', 'head', '-'], ndjson(REFERENCES));
    const headRequests = s3.requests.splice(0);
    const list = await runCli([...flags, '--check', 'list', '-'], ndjson(REFERENCES));
    assert.equal(verdicts(head.stdout), EXPECTED);
    assert.equal(verdicts(list.stdout), EXPECTED);
    assert.ok(headRequests.every((request) => request.startsWith('HEAD ')), headRequests.join('\n'));
    assert.equal(s3.requests, [`GET /${s3.bucket}`], 'one ListObjectsV2, nothing else');
  } finally {
    process.env = saved;
    await s3.close();
  }
});

async function* batches(references: readonly string[]): AsyncGenerator<InputItem[]> {
  yield references.map((icon, i) => ({ line: i + 1, record: { id: i + 1, icon } }));
}

test('unstorage (fs driver on real files): a listing and hasItem per key agree', async () => {
  const media = tempMedia(FILES);
  try {
    const storage = unstorageStorage(createStorage({ driver: fsDriver({ base: media.root }) }), { baseUrl: '/media/' });
    const run = async (checkerFor: (storage: Storage) => Promise<ReturnType<typeof perKeyChecker>>) => {
      const problems: AuditProblem[] = [];
      await audit(batches(REFERENCES), { checker: await checkerFor(storage), contexts: [{ baseUrl: '/media/' }], idField: 'id', nameFields: [], fileFields: ['icon'], onProblem: (p) => problems.push(p) });
      return problems.map((p): [number, string] => [p.line, p.reason.replace(/:.*/, '')]);
    };
    const perKey = await run(async (s) => perKeyChecker(s, { concurrency: 4, timeout: 5000 }));
    const listed = await run((s) => listingChecker(s as Storage & Required<Pick<Storage, 'list'>>, { prefix: '', fallback: perKeyChecker(s, { concurrency: 4, timeout: 5000 }), confirmMissing: false, keepFiles: false }));
    // unstorage escapes "%" in keys (unstorageKey): a file written on disk as "with space %41.png"
    // is not the key "logos/with space %41.png" there — missing to both.
    assert.equal(perKey, [...EXPECTED.slice(0, 4), [8, 'missing'], ...EXPECTED.slice(4)]);
    assert.equal(listed, perKey);
  } finally {
    media.cleanup();
  }
});

test('S3 at scale: 2,500 objects listed in ≤ 1 request per 1,000 objects + 1; --check auto lists a large input and HEADs a small one', async () => {
  const files = new Map(Array.from({ length: 2500 }, (_, i) => [`logos/${i}.png`, PNG] as const));
  const s3 = await startS3(files, 'media', { via: 'store' });
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey });
  try {
    const flags = ['audit', '--s3-bucket', s3.bucket, '--s3-endpoint', s3.origin, '--s3-path-style', '--json'];
    const large = ndjson(Array.from({ length: 6000 }, (_, i) => `logos/${i % 2600}.png`));
    const listed = await runCli([...flags, '-'], large);
    assert.is(listed.code, 1, listed.stderr);
    assert.is(JSON.parse(listed.stdout).summary.missing, 6000 - Math.floor(6000 / 2600) * 2500 - Math.min(6000 % 2600, 2500));
    assert.ok(s3.requests.every((request) => request === `GET /${s3.bucket}`), 'only listing requests');
    assert.ok(s3.requests.length <= Math.ceil(2500 / 1000) + 1, `${s3.requests.length} requests`);
    s3.requests.length = 0;
    const small = await runCli([...flags, '-'], ndjson(['logos/1.png', 'logos/2.png', 'logos/gone.png']));
    assert.is(small.code, 1);
    assert.equal(s3.requests.map((request) => request.split(' ')[0]), ['HEAD', 'HEAD', 'HEAD']);
  } finally {
    process.env = saved;
    await s3.close();
  }
});

test('--orphans: unreferenced files with size, time and the total; young files skipped (--min-age); --prefix', async () => {
  const media = tempMedia({ 'logos/used.png': PNG, 'logos/old.png': Buffer.alloc(1234), 'logos/young.png': Buffer.alloc(10), 'other/old.png': Buffer.alloc(2000), 'logos/empty-old.png': Buffer.alloc(0) });
  try {
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
    for (const file of ['logos/used.png', 'logos/old.png', 'other/old.png', 'logos/empty-old.png']) utimesSync(path.join(media.root, file), threeDaysAgo, threeDaysAgo);
    const input = ndjson(['logos/used.png', '/media/logos/used.png', 'logos/gone.png', 'logos/used.png']);
    const run = await runCli(['audit', '--root', media.root, '--orphans', '--json', '--max-missing', '1', '-'], input);
    assert.is(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.orphans.map((o: { key: string; size: number }) => [o.key, o.size]), [['logos/empty-old.png', 0], ['logos/old.png', 1234], ['other/old.png', 2000]]);
    assert.ok(Math.abs(Date.parse(report.orphans[1].modified) - threeDaysAgo.getTime()) < 1000, report.orphans[1].modified);
    assert.equal([report.summary.orphans, report.summary.orphanBytes, report.summary.orphansTooYoung], [3, 3234, 1]);
    assert.equal(verdicts(run.stdout), [[3, 'missing']]);

    const prefixed = await runCli(['audit', '--root', media.root, '--orphans', '--prefix', 'logos/', '--min-age', '0', '--max-missing', '1', '-'], input);
    assert.match(prefixed.stdout, /\nORPHAN\s+BYTES\s+MODIFIED \(UTC\)\nlogos\/empty-old\.png\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d\nlogos\/old\.png\s+1,234 .*\nlogos\/young\.png\s+10 .*\n\n/);
    assert.match(prefixed.stdout, /\norphans 3 · 1,244 bytes \(1\.2 KiB\)\n$/);
    assert.not.match(prefixed.stdout, /other\/old\.png/);

    // No records at all (a failed export?): exit 2, and no file is called an orphan.
    const failed = await runCli(['audit', '--root', media.root, '--orphans', '--min-age', '1h', '-'], '[]');
    assert.is(failed.code, 2, failed.stderr);
    assert.match(failed.stderr, /no records read from stdin/);
    assert.not.match(failed.stdout, /ORPHAN|orphans \d/);
    // With --allow-empty, nothing referenced: every file old enough is an orphan, and exit 1 says
    // something is listed. (No brake: it needs references that point into an empty storage.)
    const none = await runCli(['audit', '--root', media.root, '--orphans', '--min-age', '1h', '--allow-empty', '-'], '[]');
    assert.is(none.code, 1, none.stderr);
    assert.match(none.stdout, /orphans 4 · 3,237 bytes \(3\.2 KiB\) · 1 younger than 1 h \(or of unknown age\) not counted\n$/);
  } finally {
    media.cleanup();
  }
});

test('the brakes with a listing: an empty listing while records reference files is exit 3, whatever --max-missing says', async () => {
  const media = tempMedia({});
  try {
    mkdirSync(path.join(media.root, 'logos'));
    const run = await runCli(['audit', '--root', media.root, '--check', 'list', '--max-missing', '1', '--orphans', '-'], ndjson(['logos/a.png', 'logos/b.png']));
    assert.is(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stderr, /stopped: the listing of the storage is empty while 2 references point into it: the storage looks unmounted or empty/);
    assert.match(run.stderr, /orphans are not listed: the storage looks unmounted or empty/);
    writeFileSync(path.join(media.root, 'logos/a.png'), PNG);
    assert.is((await runCli(['audit', '--root', media.root, '--check', 'list', '--max-missing', '1', '-'], ndjson(['logos/a.png', 'logos/b.png']))).code, 1);
  } finally {
    media.cleanup();
  }
});

test('a listing that fails is a fault for every reference it should answer, never "missing"', async () => {
  const broken = await statusServer(500);
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
  try {
    const run = await runCli(['audit', '--s3-bucket', 'media', '--s3-endpoint', broken.origin, '--s3-path-style', '--check', 'list', '--json', '-'], ndjson(['a.png', 'b.png']));
    assert.is(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.equal([report.summary.fault, report.summary.missing], [2, 0]);
    assert.match(report.problems[0].reason, /^fault: listing the storage failed: s3 storage: /);
    assert.match(run.stderr, /logo-fallback: listing the storage failed/);
    const http = await runCli(['audit', '--http', broken.origin, '--orphans', '-'], '');
    assert.is(http.code, 2);
    assert.match(http.stderr, /--orphans needs a storage that can list \(local disk or S3\): HTTP cannot/);
  } finally {
    process.env = saved;
    await broken.close();
  }
});

test.run();
