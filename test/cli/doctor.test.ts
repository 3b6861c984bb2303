/**
 * `logo-fallback doctor` on plain directories (real mounts are tested in the container test,
 * test/docker). The tests run as root, so every permission case drops privileges: the CLI runs as
 * uid/gid 65534 through `setpriv`, over directories the test made and chowned.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { judgeMount, mountOf, parseMountinfo } from '../../src/cli/doctor-mounts.js';
import { runDoctor, type DoctorReport } from '../../src/cli/doctor.js';
import { NOBODY, chownTree, doctorAsNobody, find, sentinels, tree } from './doctor-helpers.js';
import { runCli } from './run-cli.js';

const CONTAINER = [
  '1201 1105 0:310 / / rw,relatime master:521 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B,upperdir=/var/lib/docker/overlay2/x/diff',
  '1202 1201 0:313 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '1210 1201 254:0 /var/lib/docker/volumes/logo_fallback_media/_data /srv/media rw,relatime master:1 - ext4 /dev/vda rw,discard',
  '1211 1201 254:0 /home/ops/uploads /srv/my\\040uploads rw,relatime - ext4 /dev/vda rw',
  '1212 1201 0:320 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw,size=65536k',
  'garbage that is not a mountinfo line',
].join('\n');

test('mountinfo: a volume, a bind mount with a space, a tmpfs and the overlay root, judged by the longest mount point', () => {
  const entries = parseMountinfo(CONTAINER);
  assert.is(entries.length, 5, 'the garbage line is skipped');
  assert.is(entries[3]?.mountPoint, '/srv/my uploads', 'octal escapes undone');
  const judge = (dir: string): string => judgeMount(dir, entries).persistence;
  assert.is(judge('/srv/media'), 'own-mount');
  assert.is(judge('/srv/media/base/company/icon'), 'own-mount', 'below a mount point');
  assert.is(judge('/srv/my uploads/logos'), 'own-mount');
  assert.is(judge('/srv/media-old'), 'container-root', 'a sibling whose name starts like the mount point is not on it');
  assert.is(judge('/srv/data'), 'container-root', 'no volume at DATA_DIR: the writable layer');
  assert.is(judge('/app/media'), 'container-root');
  assert.is(judge('/tmp/uploads'), 'memory');
  const host = parseMountinfo('27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n28 27 0:25 / /mnt/data rw - xfs /dev/vdb rw');
  assert.is(judgeMount('/srv/media', host).persistence, 'host-root', 'not in a container: said so plainly');
  assert.is(judgeMount('/mnt/data/media', host).persistence, 'own-mount');
  assert.is(judgeMount('/srv/media', []).persistence, 'unknown');
  // Stacked mounts at one point: the last one mounted hides the others.
  const stacked = parseMountinfo(`${CONTAINER}\n1300 1201 0:400 / /srv/media rw - tmpfs tmpfs rw`);
  assert.is(mountOf('/srv/media/x', stacked)?.fsType, 'tmpfs');
});

test('runDoctor with a container mount table: media on the writable layer fails, with the fix named', async () => {
  const t = tree();
  const table = path.join(t.base, 'mountinfo');
  // The test's own media path, placed on an overlay root: what a container without a volume looks like.
  writeFileSync(table, `1 0 0:1 / / rw - overlay overlay rw\n2 1 0:2 / ${t.data} rw - ext4 /dev/vdb rw\n`);
  try {
    const report = await runDoctor({ mediaRoot: t.media, dataDir: t.data, records: [], fileFields: ['icon'], baseUrl: '/media/', maxMissing: 0.5, minFree: 0, mountinfo: table });
    assert.is(report.ok, false);
    const mount = find(report, 'media', 'mount');
    assert.is(mount.status, 'fail');
    assert.match(mount.message, /container's own filesystem \(overlay\): files written here are lost at the next deploy\. Mount a volume at /);
    assert.is(find(report, 'data', 'mount').status, 'ok', 'the data directory has its own mount');
  } finally {
    t.cleanup();
  }
});

test('a plain directory the user owns: every check passes, the sentinels are gone, the mount is described', () => {
  const t = tree();
  try {
    const run = doctorAsNobody(['--media-root', t.media, '--data-dir', t.data, '--json']);
    assert.ok(run.report, run.stderr);
    for (const [target, check] of [['media', 'writable'], ['media', 'free-space'], ['media', 'contents'], ['data', 'writable'], ['data', 'free-space']] as const) {
      assert.is(find(run.report, target, check).status, 'ok', `${target} ${check}: ${find(run.report, target, check).message}`);
    }
    assert.match(find(run.report, 'media', 'writable').message, /uid 65534 can create, read and delete files in all 4 folders/);
    // Whatever this machine is, the mount check names what it found (here: a host or VM disk, or a container's layer).
    const mount = find(run.report, 'media', 'mount');
    assert.match(mount.message, mount.status === 'fail' ? /container's own filesystem|memory/ : /not in a container|its own mount/);
    assert.is(run.code, run.report?.checks.some((c) => c.status === 'fail') ? 1 : 0, 'exit 1 exactly when a check failed');
    assert.equal(sentinels(t.base), []);
  } finally {
    t.cleanup();
  }
});

test('a root-owned subfolder left by a restore FAILS, named with its owner and the fix; so does a root-owned database file', () => {
  const t = tree();
  try {
    const restored = path.join(t.media, 'base/company/icon');
    chownSync(restored, 0, 0); // what `tar x` as root leaves behind
    chownSync(path.join(t.data, 'demo.sqlite'), 0, 0);
    chmodSync(path.join(t.data, 'demo.sqlite'), 0o644);
    const run = doctorAsNobody(['--media-root', t.media, '--data-dir', t.data, '--json']);
    assert.is(run.code, 1, run.stderr);
    const writable = find(run.report, 'media', 'writable');
    assert.is(writable.status, 'fail');
    assert.ok(writable.message.includes(`cannot create files in 1 of 4 folders: ${restored} (create: EACCES; owner uid 0 (root), mode 755)`), writable.message);
    assert.ok(writable.message.includes(`Fix: chown -R 65534:65534 ${t.media}`), writable.message);
    const data = find(run.report, 'data', 'writable');
    assert.is(data.status, 'fail');
    assert.match(data.message, /cannot write 1 file: .*demo\.sqlite \(owner uid 0 \(root\), mode 644\)/);
    assert.equal(sentinels(t.base), [], 'the sentinels are removed, also where a step failed');
    // The table for people says the same, and ends with the verdict.
    const table = doctorAsNobody(['--media-root', t.media]);
    assert.is(table.code, 1);
    assert.match(table.stdout, /^FAIL +media +writable +uid 65534 cannot create files/m);
    assert.match(table.stdout, /\d+ checks? failed\. \(as uid 65534, gid 65534\)\n$/);
  } finally {
    t.cleanup();
  }
});

test('a deeper root-owned folder, and an unreadable one, fail too', () => {
  const t = tree();
  try {
    const deep = path.join(t.media, 'base/company/icon/2024/05');
    mkdirSync(deep, { recursive: true });
    chownTree(path.join(t.media, 'base/company/icon/2024'), NOBODY);
    chownSync(deep, 0, 0);
    const locked = path.join(t.media, 'private');
    mkdirSync(locked, { mode: 0o700 }); // root's, mode 700: not even listable
    const run = doctorAsNobody(['--media-root', t.media, '--json']);
    const writable = find(run.report, 'media', 'writable');
    assert.is(writable.status, 'fail');
    assert.ok(writable.message.includes(`${deep} (create: EACCES`), writable.message);
    assert.ok(writable.message.includes(`${locked} (list, create: EACCES; owner uid 0 (root), mode 700)`), writable.message);
    assert.ok(writable.message.includes('cannot create files in 2 of 7 folders'), 'each folder counted once');
    assert.equal(sentinels(t.base), []);
  } finally {
    t.cleanup();
  }
});

test('a tmpfs is a mount of its own, and still fails: its files live in memory', async () => {
  const shm = mountOf('/dev/shm', parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')));
  if (shm?.fsType !== 'tmpfs') {
    console.log('  (no tmpfs at /dev/shm here: the table test above covers tmpfs)');
    return;
  }
  const dir = mkdtempSync('/dev/shm/logo-fallback-doctor-');
  try {
    const report = await runDoctor({ mediaRoot: dir, records: [], fileFields: ['icon'], baseUrl: '/media/', maxMissing: 0.5, minFree: 0 });
    const mount = find(report, 'media', 'mount');
    assert.is(mount.status, 'fail');
    assert.match(mount.message, /is on a tmpfs \(memory, at \/dev\/shm\): its files are lost when the container stops/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('records: an empty media directory while records point into it fails; so does a missing share above --max-missing', async () => {
  const t = tree();
  const csv = 'id,company,icon\n1,Acme,base/company/icon/acme.png\n2,Globex,base/company/icon/globex.png\n3,Initech,/media/base/company/icon/initech.png\n4,Evil,../../etc/passwd\n5,None,\n';
  try {
    // 1 of 3 present: 66.7% missing.
    let run = await runCli(['doctor', '--media-root', t.media, '--records', '-', '--format', 'csv', '--json'], csv);
    assert.is(run.code, 1, run.stderr);
    let report = JSON.parse(run.stdout) as DoctorReport;
    const references = find(report, 'records', 'references');
    assert.is(references.status, 'fail');
    assert.match(references.message, /only 1 of 3 referenced files are present, 66\.7% missing or unreadable, above the --max-missing limit of 50%.*1 unsafe/);
    assert.is(find(report, 'media', 'contents').status, 'ok');
    // A higher limit passes, and says so.
    run = await runCli(['doctor', '--media-root', t.media, '--records', '-', '--max-missing', '0.7', '--json'], csv);
    report = JSON.parse(run.stdout) as DoctorReport;
    assert.is(find(report, 'records', 'references').status, 'ok');
    assert.match(find(report, 'records', 'references').message, /\(limit 70%\)/);
    assert.is(run.code, 0);
    // The volume lost: the directory is there, but empty.
    rmSync(path.join(t.media, 'base'), { recursive: true });
    const file = path.join(t.base, 'records.csv');
    writeFileSync(file, csv);
    run = await runCli(['doctor', '--media-root', t.media, '--records', file, '--max-missing', '1', '--json']);
    report = JSON.parse(run.stdout) as DoctorReport;
    const contents = find(report, 'media', 'contents');
    assert.is(contents.status, 'fail');
    assert.match(contents.message, /holds no files, while records reference 3: the volume is not mounted, or was lost/);
    assert.is(run.code, 1);
    // Without records, an empty directory is only a note.
    run = await runCli(['doctor', '--media-root', t.media, '--json']);
    assert.is(find(JSON.parse(run.stdout) as DoctorReport, 'media', 'contents').status, 'info');
  } finally {
    t.cleanup();
  }
});

test('free space: below --min-free fails, with both sizes', async () => {
  const t = tree();
  try {
    const run = await runCli(['doctor', '--media-root', t.media, '--min-free', '4096T', '--json']);
    assert.is(run.code, 1);
    assert.match(find(JSON.parse(run.stdout) as DoctorReport, 'media', 'free-space').message, /only [\d.]+ [KMGT]iB free of [\d.]+ [KMGTP]iB \(at least 4\.0 PiB wanted, --min-free\)/);
  } finally {
    t.cleanup();
  }
});

test('bounded: the walk stops at its limit and says so', async () => {
  const t = tree();
  try {
    for (let i = 0; i < 5; i++) mkdirSync(path.join(t.media, `extra-${i}`));
    const report = await runDoctor({ mediaRoot: t.media, records: [], fileFields: ['icon'], baseUrl: '/media/', maxMissing: 0.5, minFree: 0, maxFolders: 3 });
    const writable = find(report, 'media', 'writable');
    assert.is(writable.status, 'warn');
    assert.match(writable.message, /all 3 folders .*\(the first 3 only/);
  } finally {
    t.cleanup();
  }
});

test('bad usage and unreadable input: exit 2 with one line; a missing or non-directory root is a failed check', async () => {
  const t = tree();
  try {
    for (const [args, message] of [
      [[], /name the media directory: --media-root/],
      [['--media-root', t.media, '--max-missing', '2'], /--max-missing must be a share from 0 to 1/],
      [['--media-root', t.media, '--max-missing', 'half'], /--max-missing must be a share/],
      [['--media-root', t.media, '--min-free', 'lots'], /--min-free must be a size/],
      [['--media-root', t.media, '--records', '-', '--records', '-'], /stdin\) can be given once/],
      [['--media-root', t.media, '--format', 'xml', '--records', '-'], /--format must be one of json, ndjson, csv/],
      [['--media-root', t.media, '--records', path.join(t.base, 'nope.csv')], /cannot read .*nope\.csv: no such file/],
      [['--media-root', t.media, 'stray'], /Unexpected argument 'stray'/],
    ] as Array<[string[], RegExp]>) {
      const run = await runCli(['doctor', ...args]);
      assert.is(run.code, 2, `${args.join(' ')}: ${run.stdout}`);
      assert.match(run.stderr, message);
      assert.is(run.stderr.trim().split('\n').length, 1, 'one line');
    }
    for (const root of [path.join(t.base, 'missing'), path.join(t.data, 'demo.sqlite')]) {
      const run = await runCli(['doctor', '--media-root', root, '--json']);
      assert.is(run.code, 1);
      const report = JSON.parse(run.stdout) as DoctorReport;
      assert.equal(report.checks.map((c) => [c.check, c.status]), [['directory', 'fail']]);
      assert.match(report.checks[0]?.message ?? '', /does not exist|is not a directory/);
    }
    const help = await runCli(['doctor', '--help']);
    assert.is(help.code, 0);
    assert.match(help.stdout, /^Usage: logo-fallback doctor --media-root <dir>/);
    assert.match(help.stdout, /Exit status: 0 no check failed/);
  } finally {
    t.cleanup();
  }
});

test.run();
