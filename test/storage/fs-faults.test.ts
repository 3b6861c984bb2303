/**
 * "Present" means a browser will get an image (issue 8 §4), on a real disk: permission errors,
 * symlink loops and over-long names are faults — reported, never "missing" — for the fs driver and
 * for unstorage's fs driver. Permission checks run in a child process as nobody (uid 65534) under
 * `setpriv`, since these tests run as root and root reads every file.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LogoFallbackError, fsStorage } from '../../src/index.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./unprivileged-check.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

type Answer = { value?: unknown; code?: string; message?: string };
type Results = Record<string, Record<string, Answer>>;

/** Runs the checks as nobody: `setpriv` drops uid, gid and supplementary groups before Node starts. */
async function checkAsNobody(driver: 'fs' | 'unstorage-fs', root: string, keys: string[], list = false, prefix = ''): Promise<Results> {
  const spec = JSON.stringify({ driver, root, keys, list, prefix });
  const { stdout } = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, '--import', 'tsx', CHILD, spec], {
    cwd: PROJECT,
    timeout: 60_000,
  });
  const parsed = JSON.parse(stdout) as { uid: number; results: Results };
  assert.is(parsed.uid, 65534, 'the checks must run unprivileged');
  return parsed.results;
}

const test = suite<{ base: string; root: string }>('fs faults');

test.before(async (context) => {
  context.base = await mkdtemp(path.join(tmpdir(), 'logo-fallback-faults-'));
  context.root = path.join(context.base, 'media');
  const root = context.root;
  await mkdir(path.join(root, 'shut'), { recursive: true });
  await writeFile(path.join(root, 'ok.png'), 'png');
  await writeFile(path.join(root, 'locked.png'), 'png');
  await writeFile(path.join(root, 'owner-only.png'), 'png');
  await writeFile(path.join(root, 'shut', 'inside.png'), 'png');
  await chmod(path.join(root, 'locked.png'), 0o000);
  await chmod(path.join(root, 'owner-only.png'), 0o600); // owned by root: nobody may not read it
  await chmod(path.join(root, 'shut'), 0o644); // names readable, files not reachable (no "x")
  await chmod(context.base, 0o755); // mkdtemp makes 0700
  await symlink('self.png', path.join(root, 'self.png')); // ELOOP
  await symlink('loop-b', path.join(root, 'loop-a'));
  await symlink('loop-a', path.join(root, 'loop-b'));
});

test.after(async (context) => {
  if (context.base !== undefined) await rm(context.base, { recursive: true, force: true });
});

const UNREADABLE = ['locked.png', 'owner-only.png', 'shut/inside.png', 'shut/missing.png'];

for (const driver of ['fs', 'unstorage-fs'] as const) {
  test(`${driver}: a file nobody may read, or one in a directory nobody may enter, is a STORAGE_FAILED fault`, async ({ root }) => {
    const results = await checkAsNobody(driver, root, ['ok.png', 'nothing.png', ...UNREADABLE]);
    assert.equal(results['ok.png']?.exists, { value: true }, 'a readable file is present for nobody too');
    assert.equal(results['nothing.png']?.exists, { value: false });
    for (const key of UNREADABLE) {
      for (const call of ['exists', 'stat', ...(driver === 'fs' ? ['existsSync'] : [])]) {
        const answer = results[key]?.[call];
        assert.is(answer?.code, 'STORAGE_FAILED', `${driver} ${call}(${key}): ${JSON.stringify(answer)}`);
        assert.match(answer?.message ?? '', /EACCES|permission denied/i);
      }
    }
  });
}

test('fs: a listing that cannot enter a directory, or read a file it sizes, is a fault', async ({ root }) => {
  const results = await checkAsNobody('fs', root, [], true);
  assert.is(results['list()']?.list?.code, 'STORAGE_FAILED', JSON.stringify(results['list()']));
  assert.match(results['list()']?.list?.message ?? '', /shut/);
  assert.is(results['list({ stat })']?.list?.code, 'STORAGE_FAILED', JSON.stringify(results['list({ stat })']));
});

test('fs: a symlink to a file nobody may read is a fault for exists() and for a listing with sizes, as the file itself is', async ({ base }) => {
  // Its own root: the unreadable file sits where the listing does not go (the prefix "in/").
  const root = path.join(base, 'linked');
  await mkdir(path.join(root, 'in'), { recursive: true });
  await mkdir(path.join(root, 'private'));
  await writeFile(path.join(root, 'private', 'locked.png'), 'png');
  await chmod(path.join(root, 'private', 'locked.png'), 0o000);
  await writeFile(path.join(root, 'in', 'ok.png'), 'png');
  await symlink(path.join(root, 'private', 'locked.png'), path.join(root, 'in', 'link.png'));
  const results = await checkAsNobody('fs', root, ['in/ok.png', 'in/link.png'], true, 'in/');
  assert.equal(results['in/ok.png']?.exists, { value: true });
  for (const call of ['exists', 'existsSync', 'stat']) assert.is(results['in/link.png']?.[call]?.code, 'STORAGE_FAILED', `${call}: ${JSON.stringify(results['in/link.png'])}`);
  assert.equal(results['list()']?.list, { value: ['in/link.png', 'in/ok.png'] }, 'names alone: the link names a file');
  assert.is(results['list({ stat })']?.list?.code, 'STORAGE_FAILED', JSON.stringify(results['list({ stat })']));
  assert.match(results['list({ stat })']?.list?.message ?? '', /link\.png/);
});

test('fs: symlink loops and over-long names are faults, sync and async', async ({ root }) => {
  const storage = fsStorage({ root });
  const long = `${'x'.repeat(300)}.png`;
  for (const [key, code] of [['self.png', 'ELOOP'], ['loop-a/inside.png', 'ELOOP'], [long, 'ENAMETOOLONG'], [`${'d'.repeat(300)}/a.png`, 'ENAMETOOLONG']] as const) {
    for (const check of [() => storage.exists(key), () => storage.stat?.(key), () => storage.existsSync?.(key)]) {
      let error: unknown;
      try {
        await check();
      } catch (thrown) {
        error = thrown;
      }
      assert.instance(error, LogoFallbackError, `${key.slice(0, 20)}: ${String(error)}`);
      assert.is((error as LogoFallbackError).code, 'STORAGE_FAILED');
      assert.ok((error as LogoFallbackError).message.includes(code), (error as LogoFallbackError).message);
    }
  }
  // The list skips what names no file, and does not fail for it.
  const keys: string[] = [];
  for await (const entry of storage.list?.('') ?? []) keys.push(entry.key);
  assert.ok(keys.includes('ok.png') && !keys.includes('self.png') && !keys.some((key) => key.startsWith('loop-')), keys.join(', '));
});

test('fsStorage({ root: "/" }) checks every absolute path as a key', async ({ root }) => {
  const storage = fsStorage({ root: '/' });
  const key = path.join(root, 'ok.png').slice(1);
  assert.is(await storage.exists(key), true);
  assert.is(storage.existsSync?.(key), true);
  assert.is((await storage.stat?.(key))?.size, 3);
  assert.is(await storage.exists(path.join(root, 'nothing.png').slice(1)), false);
  const listed: string[] = [];
  for await (const entry of storage.list?.(path.join(root, 'o').slice(1)) ?? []) listed.push(entry.key);
  assert.equal(listed.sort(), [path.join(root, 'ok.png').slice(1), path.join(root, 'owner-only.png').slice(1)]);
});

test.run();
