import type { ServerResponse } from 'node:http';
import { AwsClient } from 'aws4fetch';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LogoFallbackError, encodeKey, s3Storage, type S3StorageOptions } from '../../src/index.js';
import { presignGet } from '../../src/storage/s3-presign.js';
import { CONTRACT_STORED, storageContract } from './contract.js';
import { S3RVER_CREDENTIALS, faultOrigins, startS3, startServer, statusServer, type TestS3 } from './servers.js';

const base = (endpoint: string, extra: Partial<S3StorageOptions> = {}): S3StorageOptions => ({
  endpoint,
  region: 'us-east-1',
  bucket: 'media',
  ...S3RVER_CREDENTIALS,
  forcePathStyle: true,
  ...extra,
});

storageContract(
  's3',
  async () => {
    const s3 = await startS3(CONTRACT_STORED);
    const faults = await faultOrigins();
    return {
      storage: s3Storage(base(s3.origin)),
      requests: () => s3.requests,
      sawKey: (key) => s3.requests.includes(`HEAD /media/${key}`),
      // Presigned GET URLs, served by s3rver itself.
      fetchable: true,
      lists: true,
      listsSizes: true,
      faults: {
        broken: () => s3Storage(base(faults.broken)),
        hang: () => s3Storage(base(faults.hanging, { timeout: 100 })),
        refused: () => s3Storage(base(faults.refused)),
        // s3rver does not verify signatures, only that the access key exists.
        credentials: () => s3Storage(base(s3.origin, { accessKeyId: 'NOBODY', secretAccessKey: 'wrong' })),
      },
      async close() {
        await Promise.all([s3.close(), faults.close()]);
      },
    };
  },
  ['broken', 'hang', 'refused', 'credentials'],
);

test('the presigner reproduces AWS\'s published SigV4 example', () => {
  // docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html, "An Example".
  const url = presignGet({
    url: 'https://examplebucket.s3.amazonaws.com/test.txt',
    region: 'us-east-1',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    date: new Date('2013-05-24T00:00:00Z'),
    expiresIn: 86400,
  });
  assert.is(
    url,
    'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
      '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
  );
});

test("presigned URLs equal aws4fetch's own query signing, with and without a session token", async () => {
  const date = new Date('2026-03-09T13:37:00Z');
  const datetime = '20260309T133700Z';
  const keys = ['base/company/icon/acme.png', "base/o'brien (1)+50%.png", 'base/Ørsted A⁄S 株式会社.png', 'base/what?v=2#x.png'];
  for (const sessionToken of [undefined, 'FwoGZXIvYXdzE/token+with=odd&chars==']) {
    for (const [origin, region] of [['https://acme-media.s3.eu-west-1.amazonaws.com', 'eu-west-1'], ['http://127.0.0.1:9000/media', 'us-east-1']] as const) {
      const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
      const reference = new AwsClient({ ...credentials, ...(sessionToken === undefined ? {} : { sessionToken }), service: 's3', region });
      for (const key of keys) {
        const url = `${origin}/${encodeKey(key)}`;
        const ours = new URL(presignGet({ url, region, ...credentials, sessionToken, date, expiresIn: 3600 }));
        const signed = await reference.sign(`${url}?X-Amz-Expires=3600`, { method: 'GET', aws: { signQuery: true, datetime } });
        const theirs = new URL(signed.url);
        assert.is(ours.origin + ours.pathname, theirs.origin + theirs.pathname, key);
        const params = (u: URL) => [...u.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        assert.equal(params(ours), params(theirs), `${key}, token ${sessionToken === undefined ? 'no' : 'yes'}`);
        assert.is(ours.searchParams.get('X-Amz-Security-Token'), sessionToken ?? null);
      }
    }
  }
});

test('presigned URLs: virtual-hosted by default, session token signed in, stable within a window, attribute-safe', () => {
  const storage = s3Storage({
    endpoint: 'https://s3.eu-west-1.amazonaws.com',
    region: 'eu-west-1',
    bucket: 'acme-media',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'secret',
    sessionToken: 'FwoGZXIvYXdzE/token+with=odd&chars',
    signedUrls: { expiresIn: 600 },
  });
  const key = "base/o'brien (1).png";
  const url = storage.url(key);
  assert.ok(url.startsWith(`https://acme-media.s3.eu-west-1.amazonaws.com/${encodeKey(key)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&`), url);
  assert.match(url, /&X-Amz-Expires=600&/);
  assert.match(url, /&X-Amz-Security-Token=FwoGZXIvYXdzE%2Ftoken%2Bwith%3Dodd%26chars&/);
  assert.match(url, /&X-Amz-Signature=[0-9a-f]{64}$/);
  assert.not.match(url, /["'<>\s]/);
  assert.is(storage.url(key), url, 'the same URL within the signing window');
  assert.is(storage.baseUrl, undefined);
});

test('publicBaseUrl: plain URLs, and references under it are ours', () => {
  const storage = s3Storage({ ...base('http://127.0.0.1:9'), publicBaseUrl: 'https://cdn.example.com/media' });
  assert.is(storage.url('a b/c.png'), 'https://cdn.example.com/media/a%20b/c.png');
  assert.is(storage.baseUrl, 'https://cdn.example.com/media/');
});

test('403 explains that a missing object reads as 403 without s3:ListBucket', async () => {
  const forbidden = await statusServer(403);
  try {
    const error = await s3Storage(base(forbidden.origin)).exists('a.png').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, LogoFallbackError);
    assert.is((error as LogoFallbackError).code, 'STORAGE_FAILED');
    assert.match((error as LogoFallbackError).message, /s3:ListBucket/);
  } finally {
    await forbidden.close();
  }
});

test('the request is signed for the bucket and key, and goes nowhere else', async () => {
  let s3: TestS3 | undefined;
  try {
    s3 = await startS3(new Map([['a.png', Buffer.from('a')]]), 'other-bucket');
    const storage = s3Storage({ ...base(s3.origin), bucket: 'other-bucket' });
    assert.is(await storage.exists('a.png'), true);
    assert.is(await storage.exists('b.png'), false);
    assert.equal(s3.requests, ['HEAD /other-bucket/a.png', 'HEAD /other-bucket/b.png']);
    // A missing bucket reads as a missing file (HEAD has no body to say which): documented.
    assert.is(await s3Storage({ ...base(s3.origin), bucket: 'no-such-bucket' }).exists('a.png'), false);
  } finally {
    await s3?.close();
  }
});

test('list() follows continuation tokens: one request per 1,000 objects', async () => {
  const count = 2_001;
  const files = new Map(Array.from({ length: count }, (_, i) => [`logos/${String(i).padStart(5, '0')}.png`, Buffer.from(String(i))] as const));
  let s3: TestS3 | undefined;
  try {
    s3 = await startS3(files, 'media', { via: 'store' });
    const storage = s3Storage(base(s3.origin));
    const keys: string[] = [];
    for await (const entry of storage.list?.('logos/') ?? []) {
      keys.push(entry.key);
      assert.is(entry.size, files.get(entry.key as `logos/${string}.png`)?.length, entry.key);
      assert.type(entry.etag, 'string');
    }
    assert.equal(keys.sort(), [...files.keys()].sort());
    assert.equal(s3.requests, ['GET /media', 'GET /media', 'GET /media'], 'three pages of at most 1,000 keys');
    // A prefix inside the listing, and one that matches nothing.
    assert.is((await collectKeys(storage, 'logos/002')).length, 100);
    assert.equal(await collectKeys(storage, 'nothing/'), []);
  } finally {
    await s3?.close();
  }
});

test('a listing page whose body stalls, or that is not a ListBucketResult, is a fault', async () => {
  for (const [handler, pattern] of [
    [(response: ServerResponse) => response.writeHead(200, { 'Content-Type': 'application/xml' }).write('<ListBucketResult><Contents>'), /no answer within 300 ms/],
    [(response: ServerResponse) => response.writeHead(200).end('<html>a captive portal</html>'), /not a ListBucketResult/],
    [(response: ServerResponse) => response.writeHead(200).end('<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>'), /no NextContinuationToken/],
    [(response: ServerResponse) => response.writeHead(404).end('<Error><Code>NoSuchBucket</Code></Error>'), /404 \(NoSuchBucket\)/],
  ] as const) {
    const server = await startServer((_request, response) => handler(response));
    try {
      let error: unknown;
      try {
        for await (const entry of s3Storage(base(server.origin, { timeout: 300 })).list('')) assert.unreachable(`listed ${entry.key}`);
      } catch (thrown) {
        error = thrown;
      }
      assert.instance(error, LogoFallbackError);
      assert.is((error as LogoFallbackError).code, 'STORAGE_FAILED');
      assert.match((error as LogoFallbackError).message, pattern);
    } finally {
      await server.close();
    }
  }
});

async function collectKeys(storage: ReturnType<typeof s3Storage>, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of storage.list?.(prefix) ?? []) keys.push(entry.key);
  return keys;
}

test('bad options fail at construction', () => {
  const good = base('https://s3.example.com');
  const bad: Array<Partial<Record<keyof S3StorageOptions, unknown>>> = [
    { endpoint: undefined },
    { endpoint: 'ftp://s3.example.com' },
    { endpoint: 'https://s3.example.com/prefix' },
    { region: '' },
    { bucket: 'Bad_Bucket' },
    { bucket: 'a' },
    { accessKeyId: undefined },
    { secretAccessKey: 42 },
    { publicBaseUrl: 'javascript:alert(1)' },
    { signedUrls: { expiresIn: 604_801 } },
    { signedUrls: { expiresIn: 1.5 } },
    { timeout: -1 },
  ];
  for (const change of bad) {
    assert.throws(
      () => s3Storage({ ...good, ...change } as S3StorageOptions),
      (error: unknown) => error instanceof LogoFallbackError && (error.code === 'MISSING_OPTION' || error.code === 'INVALID_OPTION'),
      JSON.stringify(change),
    );
  }
});

test.run();
