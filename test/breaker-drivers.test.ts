/**
 * The breaker is the storage's, whatever the driver: S3 against an endpoint that never answers,
 * unstorage's http driver against the same, and a hand-written storage whose `exists()` never
 * settles and ignores its abort signal. Each page of 30 companies waits for the breaker's
 * `failures`, not 30 (counted from onError, not timed); Nunjucks async and LiquidJS.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createStorage } from 'unstorage';
import httpDriver from 'unstorage/drivers/http';
import { createLogoResolver, httpStorage, s3Storage, uiAvatars, unstorageStorage, type LogoFallbackError, type Storage } from '../src/index.js';
import type { SharedTier } from '../src/shared/types.js';
import { companies, openings, renderPage, waited } from './helpers/breaker-pages.js';
import { S3RVER_CREDENTIALS, hangingServer } from './storage/servers.js';

const never: Storage = {
  name: 'never',
  baseUrl: '/media/',
  exists: () => new Promise<boolean>(() => undefined),
  url: (key) => `/media/${key}`,
};

test('S3, unstorage and a storage that never settles: the page waits for `failures` checks', async () => {
  const hung = await hangingServer();
  try {
    const storages: Storage[] = [
      s3Storage({ endpoint: hung.origin, region: 'us-east-1', bucket: 'media', ...S3RVER_CREDENTIALS, forcePathStyle: true, publicBaseUrl: '/media/' }),
      unstorageStorage(createStorage({ driver: httpDriver({ base: hung.origin }) }), { baseUrl: '/media/' }),
      never,
    ];
    for (const storage of storages) {
      for (const engine of ['nunjucks', 'liquid'] as const) {
        const errors: LogoFallbackError[] = [];
        const logos = createLogoResolver({
          storage,
          avatar: uiAvatars(),
          timeout: 80,
          cache: { hardTimeout: 2_000, breaker: { failures: 2, cooldown: 600_000 } },
          onError: (error) => errors.push(error),
        });
        const html = await renderPage(engine, logos, companies(`${storage.name}-${engine}`, 30));
        assert.is(html.match(/src="https:\/\/ui-avatars\.com\//g)?.length, 30, `${storage.name}, ${engine}: every company has its avatar`);
        assert.is(waited(errors), 2, `${storage.name}, ${engine}: renders that waited`);
        assert.is(openings(errors).length, 1);
        assert.match(openings(errors)[0]?.message ?? '', `${storage.name} storage: 2 checks in a row`);
      }
    }
  } finally {
    await hung.close();
  }
});

test('answers a shared tier already knew say nothing of the storage: they neither reset the count nor close the breaker', async () => {
  const hung = await hangingServer();
  try {
    // A tier (as redisShared() would be, with another replica's answers) that knows the even files:
    // it answers those at once and asks the hung storage for the others.
    const shared: SharedTier = {
      name: 'fleet',
      connect: () => ({
        check: (key, signal, fromStorage) => (/[02468]\.png$/.test(key) ? Promise.resolve({ exists: true }) : fromStorage(key, signal)),
        invalidate: () => undefined,
      }),
    };
    const errors: LogoFallbackError[] = [];
    const logos = createLogoResolver({
      storage: httpStorage({ baseUrl: `${hung.origin}/media/` }),
      shared,
      avatar: uiAvatars(),
      timeout: 80,
      concurrency: 1024,
      cache: { hardTimeout: 5_000, breaker: { failures: 3, cooldown: 600_000 } },
      onError: (error) => errors.push(error),
    });
    // Odd and even alternate: were the tier's answers successes, no three failures would ever be in a row.
    const html = await renderPage('liquid', logos, companies('fleet', 20));
    assert.is(waited(errors), 3, 'three renders waited for the hung storage, then none');
    assert.is(openings(errors).length, 1);
    assert.is(html.match(new RegExp(`src="${hung.origin}/media/fleet/`, 'g'))?.length, 3, 'the tier answered the even files before the breaker opened (0, 2, 4)');
  } finally {
    await hung.close();
  }
});

test.run();
