/**
 * `prefetch({ prefix })` (issue 11 §6): one listing fills the existence cache for every file under
 * a prefix, so that a Handlebars app (sync helpers) renders every logo right the first time —
 * against real files on disk and against s3rver on 127.0.0.1, counting what reached the storage.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerHandlebars } from '../adapters/handlebars.js';
import { createLogoResolver, fsStorage, httpStorage, s3Storage, uiAvatars, type LogoFallbackError, type LogoResolver, type LogoResolverOptions, type Storage, type StorageEntry } from '../src/index.js';
import { until } from './cache-servers.js';
import { recording, tempMedia } from './helpers/media.js';
import { S3RVER_CREDENTIALS, startS3 } from './storage/servers.js';

const PREFIX = 'base/company/icon/';
const avatar = uiAvatars({ background: '#1e3a8a' });
const TEMPLATE = '{{#each companies}}<img src="{{get_company_logo this}}" alt="{{get_company_name this}}">\n{{/each}}';

interface Company {
  company: string;
  icon: string;
}

/** `present` files with bytes, one empty file, `missing` references with no file, under PREFIX. */
function companiesFor(present: number, missing: number): { files: Map<string, Buffer>; companies: Company[]; missingKeys: string[] } {
  const files = new Map<string, Buffer>();
  const companies: Company[] = [];
  const missingKeys: string[] = [];
  for (let i = 0; i < present; i++) {
    const key = `${PREFIX}logo ${i}.png`; // a space: keys are encoded in the URL, listed decoded
    files.set(key, Buffer.from(`png ${i}`));
    companies.push({ company: `Company ${i}`, icon: key });
  }
  files.set(`${PREFIX}empty.png`, Buffer.alloc(0));
  companies.push({ company: 'Empty Upload', icon: `${PREFIX}empty.png` });
  for (let i = 0; i < missing; i++) {
    const key = `${PREFIX}gone-${i}.png`;
    missingKeys.push(key);
    companies.push({ company: `Gone ${i}`, icon: key });
  }
  // Outside the prefix: never listed, never asked for.
  for (let i = 0; i < 5; i++) files.set(`base/employee/photo/p${i}.png`, Buffer.from('png'));
  return { files, companies, missingKeys };
}

function handlebars(logos: LogoResolver): (companies: Company[]) => string {
  const render = registerHandlebars(Handlebars.create(), logos).compile(TEMPLATE);
  return (companies) => render({ companies });
}

/** What a page must show: rendered by a resolver over the same files on disk, whose sync check is exact. */
function truth(root: string, companies: Company[]): string {
  return handlebars(createLogoResolver({ storage: fsStorage({ root, baseUrl: '/media/' }), avatar, onError: () => undefined }))(companies);
}

function writeAll(files: Map<string, Buffer>): { root: string; cleanup: () => void } {
  return tempMedia(Object.fromEntries(files));
}

/** Storage that only answers asynchronously (as S3 or unstorage do), counting its checks and listings. */
function asyncOnly(storage: Storage): Storage & { checks: string[]; listings: number } {
  const checks: string[] = [];
  const wrapped = {
    name: `async-${storage.name}`,
    ...(storage.baseUrl === undefined ? {} : { baseUrl: storage.baseUrl }),
    checks,
    listings: 0,
    exists(key: string, signal?: AbortSignal) {
      checks.push(key);
      return storage.exists(key, signal);
    },
    list(prefix: string, signal?: AbortSignal, options?: { readonly stat?: boolean }): AsyncIterable<StorageEntry> {
      wrapped.listings++;
      if (storage.list === undefined) throw new Error('no list');
      return storage.list(prefix, signal, options);
    },
    url: (key: string) => storage.url(key),
  };
  return wrapped;
}

function resolver(storage: Storage, options: LogoResolverOptions = {}): { logos: LogoResolver; errors: LogoFallbackError[] } {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage, avatar, onError: (error) => errors.push(error), ...options });
  return { logos, errors };
}

test('fs: one prefetch({ prefix }) at start-up, and a Handlebars page is right the first time with no check of a listed file', async () => {
  const { files, companies, missingKeys } = companiesFor(300, 20);
  const media = writeAll(files);
  try {
    // Not files, though their names look like keys: a directory, and a symlink leaving the root.
    mkdirSync(path.join(media.root, PREFIX, 'folder.png'));
    writeFileSync(path.join(media.root, '..', 'outside.png'), 'secret');
    symlinkSync(path.join(media.root, '..', 'outside.png'), path.join(media.root, PREFIX, 'escape.png'));
    companies.push({ company: 'Folder Inc', icon: `${PREFIX}folder.png` }, { company: 'Escape Ltd', icon: `${PREFIX}escape.png` });
    const expected = truth(media.root, companies);

    // With the fs driver's own sync check: the listing answered every listed key, so the sync check
    // runs only for keys no listing names (missing ones, the folder, the escaping symlink).
    const storage = recording(fsStorage({ root: media.root, baseUrl: '/media/' }));
    const { logos, errors } = resolver(storage);
    await logos.prefetch({ prefix: PREFIX });
    assert.equal(storage.calls, [], 'the listing itself checks nothing key by key');
    assert.fixture(handlebars(logos)(companies), expected);
    assert.equal(new Set(storage.calls), new Set([...missingKeys, `${PREFIX}folder.png`, `${PREFIX}escape.png`]));
    assert.not.ok(storage.calls.includes(`${PREFIX}empty.png`), 'the empty file is known missing from its listed size');
    assert.is(errors.filter((e) => e.code !== 'INVALID_KEY').length, 0, errors.map((e) => e.message).join(' | '));

    // Without a sync check (S3, unstorage): before the listing, a sync render can only print avatars.
    const remote = asyncOnly(fsStorage({ root: media.root, baseUrl: '/media/' }));
    const cold = resolver(remote);
    const before = handlebars(cold.logos)(companies);
    assert.is.not(before, expected, 'without prefetch, the first render cannot be right');
    const warm = resolver(asyncOnly(fsStorage({ root: media.root, baseUrl: '/media/' })));
    await warm.logos.prefetch({ prefix: PREFIX });
    assert.fixture(handlebars(warm.logos)(companies), expected);
  } finally {
    media.cleanup();
  }
});

test('s3rver: one listing request per 1,000 keys, then a Handlebars page right the first time; only unlisted keys are checked', async () => {
  const { files, companies, missingKeys } = companiesFor(2_500, 40);
  const media = writeAll(files);
  const s3 = await startS3(files, 'media', { via: 'store' });
  try {
    const expected = truth(media.root, companies);
    const storage = s3Storage({ endpoint: s3.origin, region: s3.region, bucket: s3.bucket, ...S3RVER_CREDENTIALS, forcePathStyle: true, publicBaseUrl: '/media/' });
    const { logos, errors } = resolver(storage, { timeout: 5_000 });
    await logos.prefetch({ prefix: PREFIX });
    // 2,501 keys under the prefix (2,500 logos and the empty file): three pages of ListObjectsV2.
    assert.equal(s3.requests, ['GET /media', 'GET /media', 'GET /media'], 'one listing, three pages, nothing else');

    assert.fixture(handlebars(logos)(companies), expected);
    // The render asked for the keys the listing did not name, in the background; nothing else.
    await until(() => s3.requests.length >= 3 + missingKeys.length, 20_000, 'the background checks of the missing keys');
    const heads = s3.requests.slice(3);
    assert.equal(new Set(heads), new Set(missingKeys.map((key) => `HEAD /media/${key}`)));
    assert.is(heads.length, missingKeys.length);
    assert.fixture(handlebars(logos)(companies), expected, 'and the next render is the same');
    assert.is(s3.requests.length, 3 + missingKeys.length, 'the second render asked nothing');
    assert.equal(errors, []);

    // Bounded by cache.max: a listing of more keys stops at it — the third page is never asked for.
    s3.requests.length = 0;
    const small = resolver(storage, { cache: { max: 1_500 } });
    await small.logos.prefetch({ prefix: PREFIX });
    assert.equal(s3.requests, ['GET /media', 'GET /media']);
    assert.is(small.errors.length, 1);
    assert.is(small.errors[0]?.code, 'INVALID_OPTION');
    assert.match(small.errors[0]?.message ?? '', /more than cache\.max \(1500\) files under "base\/company\/icon\/".*raise cache\.max/);
  } finally {
    await s3.close();
    media.cleanup();
  }
});

test('bounded by cache.max: at most max keys are stored, and onError says the listing stopped', async () => {
  const { files, companies } = companiesFor(120, 0);
  const media = writeAll(files);
  try {
    const { logos, errors } = resolver(asyncOnly(fsStorage({ root: media.root, baseUrl: '/media/' })), { cache: { max: 50 } });
    await logos.prefetch({ prefix: PREFIX });
    assert.is(errors[0]?.code, 'INVALID_OPTION');
    assert.match(errors[0]?.message ?? '', /more than cache\.max \(50\) files/);
    const printed = companies.map((company) => logos.logo(company));
    assert.is(printed.filter((url) => url.startsWith('/media/')).length, 50, 'exactly cache.max logos known present');
  } finally {
    media.cleanup();
  }
});

test('a storage that cannot list, a bad prefix, a hostile argument: an onError report, never a throw', async () => {
  const http = httpStorage({ baseUrl: 'http://127.0.0.1:9/media/' });
  const cannot = resolver(http);
  assert.is(await cannot.logos.prefetch({ prefix: PREFIX }), undefined);
  assert.is(cannot.errors.length, 1);
  assert.is(cannot.errors[0]?.code, 'INVALID_OPTION');
  assert.match(cannot.errors[0]?.message ?? '', /prefetch\(\{ prefix \}\): the http storage cannot list its files .*prefetch\(records\)/);

  const media = tempMedia({ 'base/company/icon/a.png': 'png' });
  try {
    const storage = asyncOnly(fsStorage({ root: media.root, baseUrl: '/media/' }));
    const huge = `${PREFIX}${'a'.repeat(10_000_000)}`;
    for (const [prefix, pattern] of [
      [null, /"prefix" must be a storage key prefix .* got null/],
      [42, /got 42/],
      ['../', /no safe key can start with the prefix "\.\.\/"/],
      ['base/../../etc/', /no safe key can start with/],
      ['/etc/', /no safe key can start with/],
      ['base//x', /no safe key can start with/],
      [huge, /no safe key can start with the prefix "base\/company\/icon\/a+"…\(10000018 chars\): it is too long/],
    ] as const) {
      const { logos, errors } = resolver(storage);
      assert.is(await logos.prefetch({ prefix } as never), undefined);
      assert.is(errors.length, 1, String(prefix).slice(0, 40));
      assert.is(errors[0]?.code, 'INVALID_OPTION');
      assert.match(errors[0]?.message ?? '', pattern);
      assert.ok((errors[0]?.message.length ?? 0) < 400, 'a hostile prefix does not flood the log');
    }
    assert.is(storage.listings, 0, 'no listing was started for a refused prefix');

    // Reading the argument throws: one INVALID_RECORD, as for any template value.
    const throwing = { get prefix(): string { throw new Error('getter'); } };
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const value of [throwing, new Proxy({}, { get() { throw new Error('trap'); } }), revoked.proxy]) {
      const { logos, errors } = resolver(storage);
      assert.is(await logos.prefetch(value as never), undefined);
      assert.is(errors.length, 1);
      assert.ok(['INVALID_RECORD', 'STORAGE_FAILED'].includes(errors[0]?.code ?? ''), errors[0]?.message);
    }
    // An object that is neither a list nor { prefix } is nothing to prefetch, as before.
    const quiet = resolver(storage);
    await quiet.logos.prefetch({} as never);
    assert.equal(quiet.errors, []);
    assert.is(storage.listings, 0);

    // cache: false stores nothing, so it lists nothing.
    const uncached = resolver(storage, { cache: false });
    await uncached.logos.prefetch({ prefix: '' });
    assert.is(storage.listings, 0);
    assert.equal(uncached.errors, []);
  } finally {
    media.cleanup();
  }
});

test('storage faults: a missing root, a listing that fails midway, one that hangs and ignores its signal', async () => {
  const gone = resolver(fsStorage({ root: '/nonexistent/logo-fallback-root' }));
  await gone.logos.prefetch({ prefix: PREFIX });
  assert.is(gone.errors.length, 1);
  assert.is(gone.errors[0]?.code, 'ROOT_MISSING');

  const url = (key: string) => `/media/${key}`;
  const failing: Storage = {
    name: 'failing',
    baseUrl: '/media/',
    exists: async () => true,
    url,
    async *list() {
      yield { key: `${PREFIX}a.png`, size: 10 };
      throw new Error('connection reset');
    },
  };
  const midway = resolver(failing);
  await midway.logos.prefetch({ prefix: PREFIX });
  assert.is(midway.errors.length, 1);
  assert.is(midway.errors[0]?.code, 'STORAGE_FAILED');
  assert.match(midway.errors[0]?.message ?? '', /failing storage: listing "base\/company\/icon\/" failed: connection reset/);
  assert.is(midway.logos.fileUrl(`${PREFIX}a.png`), '/media/base/company/icon/a.png', 'what was listed before the fault is kept');

  let aborted: unknown;
  const hung: Storage = {
    name: 'hung',
    baseUrl: '/media/',
    exists: async () => true,
    url,
    list(_prefix, signal) {
      signal?.addEventListener('abort', () => {
        aborted = signal.reason;
      });
      // Never yields, and ignores its signal.
      return { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<StorageEntry>>(() => undefined) }) };
    },
  };
  const stuck = resolver(hung, { timeout: 20, cache: { hardTimeout: 150 } });
  const started = performance.now();
  await stuck.logos.prefetch({ prefix: PREFIX });
  assert.ok(performance.now() - started < 5_000, 'resolved after hardTimeout, not never');
  assert.is(stuck.errors.length, 1);
  assert.is(stuck.errors[0]?.code, 'TIMEOUT');
  assert.match(stuck.errors[0]?.message ?? '', /hung storage: listing "base\/company\/icon\/" gave nothing for hardTimeout \(150 ms\), after 0 keys; it was aborted/);
  assert.is(aborted, stuck.errors[0], 'the listing was aborted with the reported error');

  // A listing that lies: keys outside the prefix, unsafe keys, sizes that are not sizes, a non-entry.
  const lying: Storage = {
    name: 'lying',
    baseUrl: '/media/',
    exists: async () => false,
    url,
    async *list() {
      yield { key: 'elsewhere/x.png', size: 10 };
      yield { key: `${PREFIX}../../etc/passwd`, size: 10 };
      yield { key: `${PREFIX}nan.png`, size: Number.NaN };
      yield { key: `${PREFIX}nosize.png` };
      yield null as never;
    },
  };
  const liar = resolver(lying);
  await liar.logos.prefetch({ prefix: PREFIX });
  for (const key of ['elsewhere/x.png', `${PREFIX}nan.png`, `${PREFIX}nosize.png`]) assert.equal(await liar.logos.lookup(key), { state: 'missing', key });
  assert.is(liar.errors.length, 1, 'the null entry is a fault of the listing');
  assert.is(liar.errors[0]?.code, 'STORAGE_FAILED');
});

/** A listing of `fs` in key order that waits before its `at`-th entry until released. */
function gated(fs: Storage, at: number): { storage: Storage; release: () => void; listed: () => number } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let listed = 0;
  const storage: Storage = {
    ...asyncOnly(fs),
    async *list(prefix, signal, options) {
      const entries: StorageEntry[] = [];
      for await (const entry of fs.list?.(prefix, signal, options) ?? []) entries.push(entry);
      entries.sort((x, y) => x.key.localeCompare(y.key));
      for (const [i, entry] of entries.entries()) {
        if (i === at) await gate;
        listed++;
        yield entry;
      }
    },
  };
  return { storage, release, listed: () => listed };
}

test('an invalidate() during the listing wins: the listing does not store what it read before', async () => {
  const media = tempMedia({ 'base/company/icon/a.png': 'png', 'base/company/icon/b.png': 'png', 'base/company/icon/c.png': 'png' });
  const logo = (logos: LogoResolver, x: string): string => logos.logo({ company: x.toUpperCase(), icon: `${PREFIX}${x}.png` });
  try {
    const fs = fsStorage({ root: media.root, baseUrl: '/media/' });
    // One key: b was re-uploaded (or deleted) after the listing read the directory.
    const one = gated(fs, 1);
    const { logos } = resolver(one.storage);
    const done = logos.prefetch({ prefix: PREFIX });
    await until(() => one.listed() === 1, 5_000, 'the first entry');
    logos.invalidate(`${PREFIX}b.png`);
    one.release();
    await done;
    assert.equal(['a', 'b', 'c'].map((x) => logo(logos, x)), ['/media/base/company/icon/a.png', avatar({ name: 'B' }), '/media/base/company/icon/c.png']);

    // Everything: nothing the listing read before is stored after.
    const all = gated(fs, 1);
    const second = resolver(all.storage);
    const pending = second.logos.prefetch({ prefix: PREFIX });
    await until(() => all.listed() === 1, 5_000, 'the first entry');
    second.logos.invalidate();
    all.release();
    await pending;
    assert.equal(['a', 'b', 'c'].map((x) => logo(second.logos, x)), ['a', 'b', 'c'].map((x) => avatar({ name: x.toUpperCase() })));
  } finally {
    media.cleanup();
  }
});

test('property: after prefetch({ prefix }), every key agrees with a check of its own, and only unlisted keys are checked', async () => {
  const name = fc.stringMatching(/^[a-z0-9][a-z0-9 ._-]{0,11}$/);
  const tree = fc.uniqueArray(fc.record({ dir: fc.constantFrom('', 'a/', 'a/b/', 'c/'), name, size: fc.constantFrom(0, 1, 7) }), { maxLength: 12, selector: (f) => `${f.dir}${f.name}` });
  await fc.assert(
    fc.asyncProperty(tree, fc.constantFrom('', 'a/', 'a/b', 'c/x', 'zz/'), fc.array(name, { maxLength: 4 }), async (files, prefix, absent) => {
      // A file cannot also be a directory: drop the files below a path that is a file.
      const entries = files.filter((f) => !files.some((g) => f.dir.startsWith(`${g.dir}${g.name}/`)));
      const media = tempMedia(Object.fromEntries(entries.map((f) => [`${f.dir}${f.name}`, Buffer.alloc(f.size, 1)])));
      try {
        const fs = fsStorage({ root: media.root, baseUrl: '/media/' });
        const storage = asyncOnly(fs);
        const { logos, errors } = resolver(storage);
        await logos.prefetch({ prefix });
        const keys = [...entries.map((f) => `${f.dir}${f.name}`), ...absent.map((n) => `${prefix.replace(/[^/]*$/, '')}${n}`)];
        for (const key of new Set(keys)) {
          const listed = key.startsWith(prefix) && entries.some((f) => `${f.dir}${f.name}` === key);
          const checksBefore = storage.checks.length;
          const answer = await logos.lookup(key);
          assert.is(answer.state, (await fs.exists(key)) ? 'present' : 'missing', key);
          assert.is(storage.checks.length - checksBefore, listed ? 0 : 1, `${key}: checked only when the listing did not name it`);
        }
        assert.equal(errors, []);
      } finally {
        media.cleanup();
      }
    }),
    { numRuns: 40, verbose: 1 },
  ).catch((error: unknown) => {
    throw error; // fast-check's message carries the seed and the counterexample
  });
});

test.run();
