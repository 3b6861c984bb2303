import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createStorage, type Driver } from 'unstorage';
import fsLiteDriver from 'unstorage/drivers/fs-lite';
import httpDriver from 'unstorage/drivers/http';
import memoryDriver from 'unstorage/drivers/memory';
import { LogoFallbackError, unstorageKey, unstorageStorage } from '../../src/index.js';
import { CONTRACT_STORED, storageContract } from './contract.js';
import { hangingServer, refusedOrigin, statusServer } from './servers.js';

/** The memory driver, recording every key it is asked about. */
function recordingMemory(seen: string[]): Driver {
  const inner = memoryDriver();
  return {
    ...inner,
    hasItem(key, options) {
      seen.push(key);
      return inner.hasItem(key, options);
    },
  };
}

storageContract(
  'unstorage',
  async () => {
    const seen: string[] = [];
    const storage = createStorage({ driver: recordingMemory(seen) });
    // unstorage reads a backslash as a separator: a name with one cannot be stored as such.
    for (const [key, body] of CONTRACT_STORED) if (!key.includes('\\')) await storage.setItemRaw(unstorageKey(key), body);
    const broken = await statusServer(500);
    const hanging = await hangingServer();
    const refused = await refusedOrigin();
    const overHttp = (origin: string, timeout?: number) =>
      unstorageStorage(createStorage({ driver: httpDriver({ base: `${origin}/kv/` }) }), { baseUrl: '/media/', ...(timeout === undefined ? {} : { timeout }) });
    return {
      storage: unstorageStorage(storage, { baseUrl: '/media/' }),
      requests: () => seen,
      sawKey: (key) => seen.includes(unstorageKey(key)),
      fetchable: false,
      lists: true,
      faults: {
        // unstorage's own http driver throws for anything but 2xx and 404.
        broken: () => overHttp(broken.origin),
        hang: () => overHttp(hanging.origin, 100),
        refused: () => overHttp(refused),
      },
      async close() {
        await Promise.all([broken.close(), hanging.close()]);
      },
    };
  },
  ['broken', 'hang', 'refused'],
);

storageContract(
  'unstorage over a real directory (fs-lite)',
  async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'logo-fallback-unstorage-contract-'));
    const storage = createStorage({ driver: fsLiteDriver({ base: dir }) });
    // The files are written where fs-lite looks for them: ":" in an unstorage key is a directory.
    for (const [key, body] of CONTRACT_STORED) {
      if (key.includes('\\')) continue;
      const file = path.join(dir, ...unstorageKey(key).split(':'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, body);
    }
    return {
      storage: unstorageStorage(storage, { baseUrl: '/media/' }),
      requests: () => [],
      fetchable: false,
      lists: true,
      faults: {},
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
  [],
);

test('unstorageKey: one-to-one, and the identity on keys unstorage leaves alone', () => {
  assert.is(unstorageKey('base/company/icon/a.png'), 'base:company:icon:a.png');
  assert.is(unstorageKey('base/logo?v=2.png'), 'base:logo%3Fv=2.png');
  assert.is(unstorageKey('a:b'), 'a%3Ab');
  assert.is(unstorageKey('100%.png'), '100%25.png');
  assert.is.not(unstorageKey('a%3Ab'), unstorageKey('a:b'));
  assert.is.not(unstorageKey('a:b'), unstorageKey('a/b'));
});

test('files stored under their plain keys are found (no "%", ":" or "?" in them)', async () => {
  const storage = createStorage({ driver: memoryDriver() });
  await storage.setItem('base/company/icon/acme.png', 'x');
  const logos = unstorageStorage(storage, { baseUrl: 'https://cdn.example.com/media/' });
  assert.is(await logos.exists('base/company/icon/acme.png'), true);
  assert.is(logos.url('base/company/icon/a b.png'), 'https://cdn.example.com/media/base/company/icon/a%20b.png');
});

test('over a real directory through the fs-lite driver', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'logo-fallback-unstorage-'));
  try {
    await mkdir(path.join(dir, 'base/company/icon'), { recursive: true });
    await writeFile(path.join(dir, 'base/company/icon/acme.png'), 'x');
    const logos = unstorageStorage(createStorage({ driver: fsLiteDriver({ base: dir }) }), { baseUrl: '/media/' });
    assert.is(await logos.exists('base/company/icon/acme.png'), true);
    assert.is(await logos.exists('base/company/icon/other.png'), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a driver that throws is a fault naming unstorage and keeping the cause', async () => {
  const cause = new Error('redis down');
  const logos = unstorageStorage({ hasItem: () => Promise.reject(cause) }, { baseUrl: '/media/' });
  const error = await logos.exists('a.png').then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, LogoFallbackError);
  assert.is((error as LogoFallbackError).code, 'STORAGE_FAILED');
  assert.is((error as LogoFallbackError).cause, cause);
  assert.match((error as LogoFallbackError).message, /unstorage storage: .*redis down/);
});

test('bad arguments fail at construction', () => {
  for (const [storage, options] of [
    [undefined, { baseUrl: '/media/' }],
    [{}, { baseUrl: '/media/' }],
    [{ hasItem: () => true }, {}],
    [{ hasItem: () => true }, { baseUrl: 'media' }],
    [{ hasItem: () => true }, { baseUrl: '/media/', timeout: 'soon' }],
    [new Proxy({}, { get: () => { throw new Error('trap'); } }), { baseUrl: '/media/' }],
    [new Proxy({ hasItem: () => true }, { get: (target, name) => (name === 'hasItem' ? target.hasItem : (() => { throw new Error('trap'); })()) }), { baseUrl: '/media/' }],
  ] as const) {
    assert.throws(
      () => unstorageStorage(storage as never, options as never),
      (error: unknown) => error instanceof LogoFallbackError && (error.code === 'MISSING_OPTION' || error.code === 'INVALID_OPTION'),
    );
  }
});

test.run();
