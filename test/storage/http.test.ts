import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LogoFallbackError, httpStorage } from '../../src/index.js';
import { CONTRACT_FILES, CONTRACT_STORED, storageContract } from './contract.js';
import { faultOrigins, fileServer, startServer, statusServer, type TestServer } from './servers.js';

storageContract(
  'http',
  async () => {
    const files = await fileServer(CONTRACT_STORED);
    const faults = await faultOrigins();
    return {
      storage: httpStorage({ baseUrl: `${files.origin}/media/` }),
      requests: () => files.requests,
      sawKey: (key) => files.requests.includes(`HEAD /media/${key}`),
      fetchable: true,
      lists: false,
      faults: {
        broken: () => httpStorage({ baseUrl: `${faults.broken}/media/` }),
        hang: () => httpStorage({ baseUrl: `${faults.hanging}/media/`, timeout: 100 }),
        refused: () => httpStorage({ baseUrl: `${faults.refused}/media/` }),
      },
      async close() {
        await Promise.all([files.close(), faults.close()]);
      },
    };
  },
  ['broken', 'hang', 'refused'],
);

async function fault(promise: Promise<boolean>): Promise<LogoFallbackError> {
  try {
    assert.unreachable(`resolved ${String(await promise)}`);
  } catch (error) {
    assert.instance(error, LogoFallbackError);
    return error as LogoFallbackError;
  }
  throw new Error('unreachable');
}

async function withServer<T>(server: Promise<TestServer>, run: (server: TestServer) => Promise<T>): Promise<T> {
  const started = await server;
  try {
    return await run(started);
  } finally {
    await started.close();
  }
}

test('410 Gone is missing; other statuses are faults', async () => {
  await withServer(statusServer(410), async ({ origin }) => {
    assert.is(await httpStorage({ baseUrl: origin }).exists('a.png'), false);
  });
  for (const status of [400, 401, 403, 429, 502, 503]) {
    await withServer(statusServer(status), async ({ origin }) => {
      const error = await fault(httpStorage({ baseUrl: origin }).exists('a.png'));
      assert.is(error.code, 'STORAGE_FAILED');
      assert.ok(error.message.includes(`status ${status}`), error.message);
    });
  }
});

test('a 405 to HEAD gets one ranged GET', async () => {
  await withServer(fileServer(CONTRACT_FILES, '/media/', { noHead: true }), async (server) => {
    const storage = httpStorage({ baseUrl: `${server.origin}/media/` });
    assert.is(await storage.exists('base/company/icon/acme.png'), true);
    assert.is(await storage.exists('base/company/icon/nobody.png'), false);
    assert.equal(server.requests, [
      'HEAD /media/base/company/icon/acme.png',
      'GET /media/base/company/icon/acme.png',
      'HEAD /media/base/company/icon/nobody.png',
      'GET /media/base/company/icon/nobody.png',
    ]);
  });
});

test('after a 405, the ranged GET applies the same rules: an empty file (416) and a directory are missing, sizes come from Content-Range', async () => {
  await withServer(fileServer(CONTRACT_STORED, '/media/', { noHead: true }), async (server) => {
    const storage = httpStorage({ baseUrl: `${server.origin}/media/` });
    assert.is(await storage.exists('base/company/icon/empty.png'), false);
    assert.is(await storage.exists('base/company/icon/folder.png'), false);
    assert.is((await storage.stat?.('base/company/icon/acme.png'))?.size, 4);
    assert.is((await storage.stat?.('base/company/icon/folder.png/inside.png'))?.size, 6);
  });
});

test('a redirect is not followed, even to a file that exists', async () => {
  await withServer(fileServer(CONTRACT_FILES, '/'), async (target) => {
    await withServer(statusServer(302, { Location: `${target.origin}/base/company/icon/acme.png` }), async ({ origin }) => {
      const error = await fault(httpStorage({ baseUrl: origin }).exists('base/company/icon/acme.png'));
      assert.match(error.message, /302 redirect/);
      assert.equal(target.requests, []);
    });
  });
});

test('headers are sent with every check; the base URL path is kept', async () => {
  const seen: Array<string | undefined> = [];
  await withServer(
    startServer((request, response, path) => {
      seen.push(request.headers.authorization);
      response.writeHead(path === '/private/media/a b.png' ? 200 : 404).end();
    }),
    async ({ origin }) => {
      const storage = httpStorage({ baseUrl: `${origin}/private/media`, headers: { Authorization: 'Bearer t0ken' } });
      assert.is(storage.url('a b.png'), `${origin}/private/media/a%20b.png`);
      assert.is(await storage.exists('a b.png'), true);
      assert.equal(seen, ['Bearer t0ken']);
    },
  );
});

test('bad options fail at construction', () => {
  for (const options of [{}, { baseUrl: '/media/' }, { baseUrl: 'ftp://x/' }, { baseUrl: 'https://x/?a=1' }, { baseUrl: 'https://x/', timeout: 0 }, { baseUrl: 'https://x/', headers: { 'bad header': 'x' } }]) {
    assert.throws(
      () => httpStorage(options as never),
      (error: unknown) => error instanceof LogoFallbackError && (error.code === 'MISSING_OPTION' || error.code === 'INVALID_OPTION'),
      JSON.stringify(options),
    );
  }
});

test.run();
