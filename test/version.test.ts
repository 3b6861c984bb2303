/**
 * `version: true`: a present logo's URL carries `?v=` and a short version from what the storage
 * knows (ETag, size, modification time), through every driver that has `stat()` — fs, HTTP, S3
 * (s3rver) and unstorage — and a re-upload under the same key prints a new URL after invalidate().
 * Options that cannot carry a version are refused at start-up.
 */
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createStorage } from 'unstorage';
import fsLiteDriver from 'unstorage/drivers/fs-lite';
import memoryDriver from 'unstorage/drivers/memory';
import {
  LogoFallbackError,
  createLogoResolver,
  encodeKey,
  fsStorage,
  httpStorage,
  isAttributeSafe,
  s3Storage,
  unstorageStorage,
  type LogoFallbackError as ErrorType,
  type Storage,
} from '../src/index.js';
import { versionedUrl } from '../src/url-version.js';
import { rejects } from './helpers/assert.js';
import { S3RVER_CREDENTIALS, startS3, startServer } from './storage/servers.js';

const VERSIONED = /^(.*)\?v=([A-Za-z0-9_-]{10})$/;

/** A resolver with `version: true` over `storage`, and what it reported. */
function versioned(storage: Storage) {
  const errors: ErrorType[] = [];
  const logos = createLogoResolver({ storage, version: true, onError: (error) => errors.push(error) });
  return { logos, errors };
}

/** The version printed for `key`, checking that the URL is the storage's plus `?v=`. */
async function versionOf(logos: ReturnType<typeof versioned>['logos'], storage: Storage, key: string): Promise<string> {
  const url = await logos.fileUrlAsync(key, 'Acme Corp');
  const match = VERSIONED.exec(url);
  assert.ok(match !== null, `a versioned URL, got ${url.slice(0, 100)}`);
  assert.is(match?.[1], storage.url(key));
  assert.ok(isAttributeSafe(url));
  const lookup = await logos.lookup(key);
  assert.is(lookup.url, url, 'lookup() prints the same URL');
  return match?.[2] ?? '';
}

/** Re-uploads through `change`, invalidates, and expects a new version; the same bytes again keep it. */
async function assertReupload(storage: Storage, key: string, change: () => Promise<void>): Promise<void> {
  const { logos, errors } = versioned(storage);
  const first = await versionOf(logos, storage, key);
  assert.is(await versionOf(logos, storage, key), first, 'stable while nothing changes');
  await change();
  assert.is(await versionOf(logos, storage, key), first, 'cached until invalidated');
  logos.invalidate(key);
  const second = await versionOf(logos, storage, key);
  assert.not.equal(second, first, 're-uploaded: a new version');
  assert.match(await logos.fileUrlAsync('missing.png', 'Acme Corp'), /^data:image\/svg\+xml,/, 'a missing file: the avatar');
  assert.equal(errors, []);
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'logo-fallback-version-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('fsStorage: size and modification time; a sync render checks asynchronously (no version without stat), prefetch() makes it right', async () => {
  await withDir(async (dir) => {
    await writeFile(path.join(dir, 'a.png'), 'png');
    const storage = fsStorage({ root: dir, baseUrl: '/media/' });
    const { logos } = versioned(storage);
    assert.match(logos.fileUrl('b.png', 'Acme Corp'), /^data:/, 'no existsSync answer without a version');
    await logos.prefetch(['a.png'], { files: true });
    assert.match(logos.fileUrl('a.png', 'Acme Corp'), /^\/media\/a\.png\?v=[A-Za-z0-9_-]{10}$/);
    // Same size, new bytes and a new mtime (a re-upload); then a new size.
    await assertReupload(storage, 'a.png', async () => {
      await writeFile(path.join(dir, 'a.png'), 'PNG');
      await utimes(path.join(dir, 'a.png'), new Date(), new Date(Date.now() + 5_000));
    });
    await assertReupload(storage, 'a.png', () => writeFile(path.join(dir, 'a.png'), 'a longer png'));
  });
});

test('prefetch({ prefix }): a listing fills the cache with the same versions as a check (fs, S3)', async () => {
  await withDir(async (dir) => {
    await writeFile(path.join(dir, 'a.png'), 'png');
    await writeFile(path.join(dir, 'b.png'), 'another png');
    const storage = fsStorage({ root: dir, baseUrl: '/media/' });
    const checked = versioned(storage).logos;
    const listed = versioned(storage).logos;
    await listed.prefetch({ prefix: '' });
    for (const key of ['a.png', 'b.png']) {
      const url = listed.fileUrl(key, 'Acme Corp');
      assert.match(url, VERSIONED, 'a sync render right after the listing');
      assert.is(url, await checked.fileUrlAsync(key, 'Acme Corp'));
    }
  });
  const s3 = await startS3(new Map([['logos/a.png', Buffer.from('png')]]));
  try {
    const storage = s3Storage({ endpoint: s3.origin, region: s3.region, bucket: s3.bucket, ...S3RVER_CREDENTIALS, forcePathStyle: true, publicBaseUrl: `${s3.origin}/${s3.bucket}/` });
    const listed = versioned(storage).logos;
    await listed.prefetch({ prefix: 'logos/' });
    assert.is(listed.fileUrl('logos/a.png', 'Acme Corp'), await versioned(storage).logos.fileUrlAsync('logos/a.png', 'Acme Corp'));
  } finally {
    await s3.close();
  }
});

test('httpStorage: the ETag (a weak one too), else Last-Modified and Content-Length', async () => {
  let headers: Record<string, string> = { ETag: '"abc"', 'Content-Length': '3' };
  const server = await startServer((request, response) => {
    response.writeHead(request.url?.includes('missing') ? 404 : 200, { 'Content-Type': 'image/png', ...headers }).end(request.method === 'HEAD' ? undefined : 'png');
  });
  try {
    const storage = httpStorage({ baseUrl: `${server.origin}/media/` });
    await assertReupload(storage, 'a.png', async () => void (headers = { ETag: 'W/"def"', 'Content-Length': '3' }));
    headers = { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'Content-Length': '3' };
    await assertReupload(storage, 'a.png', async () => void (headers = { 'Last-Modified': 'Thu, 22 Oct 2015 07:28:00 GMT', 'Content-Length': '3' }));
    // Nothing that tells versions apart: the plain URL.
    headers = {};
    const { logos } = versioned(storage);
    assert.is(await logos.fileUrlAsync('a.png', 'Acme Corp'), `${server.origin}/media/a.png`);
  } finally {
    await server.close();
  }
});

test('s3Storage with publicBaseUrl (s3rver): the object\'s ETag; presigned URLs are refused at start-up', async () => {
  const s3 = await startS3(new Map([['logos/a.png', Buffer.from('png')]]));
  try {
    const options = { endpoint: s3.origin, region: s3.region, bucket: s3.bucket, ...S3RVER_CREDENTIALS, forcePathStyle: true };
    const storage = s3Storage({ ...options, publicBaseUrl: `${s3.origin}/${s3.bucket}/` });
    const client = new AwsClient({ ...S3RVER_CREDENTIALS, service: 's3', region: s3.region, retries: 0 });
    await assertReupload(storage, 'logos/a.png', async () => {
      const response = await client.fetch(`${s3.origin}/${s3.bucket}/${encodeKey('logos/a.png')}`, { method: 'PUT', body: 'PNG', headers: { 'Content-Type': 'image/png' } });
      assert.is(response.status, 200);
    });
    await rejects(
      () => createLogoResolver({ storage: s3Storage(options), version: true }),
      (thrown) => thrown instanceof LogoFallbackError && thrown.code === 'INVALID_OPTION' && /fixed baseUrl.*presigned/.test(thrown.message),
    );
  } finally {
    await s3.close();
  }
});

test('unstorageStorage: the size on the memory driver, size and mtime on the fs driver', async () => {
  const memory = createStorage({ driver: memoryDriver() });
  await memory.setItemRaw('a.png', Buffer.from('png'));
  await assertReupload(unstorageStorage(memory, { baseUrl: '/media/' }), 'a.png', () => memory.setItemRaw('a.png', Buffer.from('a longer png')));
  await withDir(async (dir) => {
    await writeFile(path.join(dir, 'a.png'), 'png');
    const storage = unstorageStorage(createStorage({ driver: fsLiteDriver({ base: dir }) }), { baseUrl: '/media/' });
    await assertReupload(storage, 'a.png', () => utimes(path.join(dir, 'a.png'), new Date(), new Date(Date.now() + 5_000)));
  });
});

test('a version is appended as a query parameter, after an existing query and before a fragment', () => {
  assert.is(versionedUrl('/media/a.png', 'abc'), '/media/a.png?v=abc');
  assert.is(versionedUrl('/media/a.png?w=64', 'abc'), '/media/a.png?w=64&v=abc');
  assert.is(versionedUrl('/media/a.svg#icon', 'abc'), '/media/a.svg?v=abc#icon');
  assert.is(versionedUrl('/media/a.png', undefined), '/media/a.png');
});

test('version refused at start-up where it cannot work: no stat(), no fixed baseUrl, no cache, not a boolean', () => {
  const http = httpStorage({ baseUrl: 'http://127.0.0.1:9/media/' });
  const { stat: _stat, ...withoutStat } = http;
  const cases: Array<[() => unknown, RegExp]> = [
    [() => createLogoResolver({ storage: { ...withoutStat, name: 'custom' }, version: true }), /"version" needs a storage with stat\(\).*the custom storage has none/],
    [() => createLogoResolver({ storage: http, version: true, cache: false }), /"version" needs the existence cache/],
    [() => createLogoResolver({ storage: http, version: true, cache: { ttl: 0 } }), /"version" needs the existence cache/],
    [() => createLogoResolver({ storage: http, version: 'yes' as never }), /"version" must be true or false, got "yes"/],
    [() => createLogoResolver({ storage: http, version: 1 as never }), /"version" must be true or false, got 1/],
  ];
  for (const [make, message] of cases) {
    try {
      make();
      assert.unreachable(`accepted: ${String(message)}`);
    } catch (error) {
      assert.instance(error, LogoFallbackError);
      assert.is((error as LogoFallbackError).code, 'INVALID_OPTION');
      assert.match((error as LogoFallbackError).message, message);
    }
  }
  createLogoResolver({ storage: http, version: false });
  createLogoResolver({ version: true }); // the default fsStorage has stat() and a baseUrl
});

test.run();
