/**
 * The media route over remote storages, against real servers on 127.0.0.1: S3 (s3rver, presigned
 * URLs for a private bucket, or a public base URL) and an HTTP origin. A present file is a `302`
 * to its URL — followed here, it gives the file's bytes —; a miss or a fault is the avatar's `307`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, httpStorage, initialsAvatar, s3Storage, type LogoFallbackError, type Storage } from '../../src/index.js';
import { mediaHandler } from '../../src/server/index.js';
import { S3RVER_CREDENTIALS, faultOrigins, fileServer, startS3 } from '../storage/servers.js';
import { ACME, GLOBEX, errors, rawRequest, serve } from './media-helpers.js';

const FILES = new Map<string, Buffer>([
  ['base/company/icon/acme.png', ACME],
  ["base/company/icon/o'brien (1).png", GLOBEX],
]);
const PLACEHOLDER = initialsAvatar({ route: '/avatars/' })({ name: 'C' });

async function withRoute(storage: Storage, run: (request: (target: string, method?: string) => ReturnType<typeof rawRequest>, reports: Error[]) => Promise<void>): Promise<void> {
  const reports = errors();
  const logos = createLogoResolver({ storage, onError: reports.onError, timeout: 2_000 });
  const server = await serve(mediaHandler(logos));
  try {
    await run((target, method = 'GET') => server.request(target, { method }), reports.seen);
  } finally {
    await server.close();
  }
}

/** Follows a Location (absolute, on 127.0.0.1) and returns the bytes. */
async function follow(location: string): Promise<Buffer> {
  const response = await fetch(location);
  assert.is(response.status, 200, location);
  return Buffer.from(await response.arrayBuffer());
}

test('S3, private bucket: a present file is a 302 to a presigned URL that serves it; a miss is the 307', async () => {
  const s3 = await startS3(FILES);
  try {
    const storage = s3Storage({ endpoint: s3.origin, region: s3.region, bucket: s3.bucket, ...S3RVER_CREDENTIALS, forcePathStyle: true });
    await withRoute(storage, async (request) => {
      for (const [key, bytes] of FILES) {
        const reply = await request(`/media/${key.split('/').map(encodeURIComponent).join('/')}`);
        assert.is(reply.status, 302, key);
        const location = String(reply.headers.location);
        assert.ok(location.startsWith(`${s3.origin}/${s3.bucket}/`), location);
        assert.match(location, /X-Amz-Signature=/);
        assert.is(reply.headers['cache-control'], 'no-store');
        assert.ok((await follow(location)).equals(bytes), key);
        const head = await request(`/media/${key.split('/').map(encodeURIComponent).join('/')}`, 'HEAD');
        assert.is(head.status, 302);
        assert.is(head.body.length, 0);
      }
      const lost = await request('/media/base/company/icon/lost.png');
      assert.is(lost.status, 307);
      assert.is(lost.headers.location, PLACEHOLDER);
      assert.is(lost.headers['x-logo-fallback'], 'missing');
    });
    // A public base URL (a CDN in front of the bucket): the 302 leads there, nothing signed.
    const cdn = `${s3.origin}/${s3.bucket}/`;
    await withRoute(s3Storage({ endpoint: s3.origin, region: s3.region, bucket: s3.bucket, ...S3RVER_CREDENTIALS, forcePathStyle: true, publicBaseUrl: cdn }), async (request) => {
      const reply = await request('/media/base/company/icon/acme.png');
      assert.is(reply.status, 302);
      assert.is(reply.headers.location, `${cdn}base/company/icon/acme.png`);
    });
  } finally {
    await s3.close();
  }
});

test('HTTP storage: a 302 to the origin for a present file; a miss, a 500, a hung or a refused origin end in the 307', async () => {
  const origin = await fileServer(FILES);
  const faults = await faultOrigins();
  try {
    await withRoute(httpStorage({ baseUrl: `${origin.origin}/media/` }), async (request) => {
      const reply = await request('/media/base/company/icon/o%27brien%20%281%29.png');
      assert.is(reply.status, 302);
      assert.is(reply.headers.location, `${origin.origin}/media/base/company/icon/o%27brien%20%281%29.png`);
      assert.ok((await follow(String(reply.headers.location))).equals(GLOBEX));
      const lost = await request('/media/base/company/icon/lost.png');
      assert.is(lost.status, 307);
      assert.is(lost.headers['x-logo-fallback'], 'missing');
      const hostile = await request('/media/%2e%2e/%2e%2e/etc/passwd');
      assert.is(hostile.status, 307);
      assert.is(hostile.headers['x-logo-fallback'], 'unsafe');
      assert.not.ok(origin.requests.some((line) => line.includes('passwd')), 'the storage was never asked');
    });
    for (const [what, base] of [['broken', faults.broken], ['hanging', faults.hanging], ['refused', faults.refused]] as const) {
      await withRoute(httpStorage({ baseUrl: `${base}/media/`, timeout: 200 }), async (request, reports) => {
        const reply = await request('/media/base/company/icon/acme.png');
        assert.is(reply.status, 307, what);
        assert.is(reply.headers['x-logo-fallback'], 'fault', what);
        assert.is(reply.headers.location, PLACEHOLDER);
        assert.ok(reports.some((error) => ['STORAGE_FAILED', 'TIMEOUT'].includes((error as LogoFallbackError).code)), what);
      });
    }
  } finally {
    await origin.close();
    await faults.close();
  }
});

test('a storage whose URL for a key leads back into the route is a fault, never a redirect loop', async () => {
  const looping: Storage = { name: 'looping', exists: async () => true, url: (key) => `/media/${key}` };
  await withRoute(looping, async (request, reports) => {
    const reply = await request('/media/a.png');
    assert.is(reply.status, 307);
    assert.is(reply.headers['x-logo-fallback'], 'fault');
    assert.ok(reports.some((error) => /leads back to the media route/.test(error.message)));
  });
});

test.run();
