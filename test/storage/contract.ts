/**
 * The one storage contract every driver passes (DESIGN.md "Storage"): exists, missing, unsafe keys
 * never reach the backend, keys with spaces / Unicode / `#` / `?` are encoded, and every way the
 * backend can fail is a `STORAGE_FAILED` fault naming the driver — never a `false`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LogoFallbackError, encodeKey, isAttributeSafe, type Storage } from '../../src/index.js';

/** Keys the contract stores; each is a case a URL or a backend gets wrong. */
export const CONTRACT_FILES: ReadonlyMap<string, Buffer> = new Map([
  ['base/company/icon/acme.png', Buffer.from('acme')],
  ['base/company/icon/with space.png', Buffer.from('space')],
  ['base/company/icon/Ørsted A⁄S 株式会社.png', Buffer.from('unicode')],
  ['base/company/icon/hash#1.png', Buffer.from('hash')],
  ['base/company/icon/what?v=2.png', Buffer.from('query')],
  ["base/company/icon/o'brien (1)+50%.png", Buffer.from('quote')],
]);

/** Keys that must be refused before anything is sent. */
const UNSAFE_KEYS = ['../secret.png', 'base/../../etc/passwd', '%2e%2e/secret.png', 'base/%252e%252e/x.png', 'a\\b.png', '/etc/passwd', '', 'a//b.png', 'a/\u0000.png'];

/** Ways a backend fails. Each driver lists those that apply to it, and must provide every one it lists. */
export type FaultKind =
  /** The backend answers with an error (HTTP 500, an S3 500, a throwing unstorage driver, a missing fs root). */
  | 'broken'
  /** The backend accepts the request and never answers. */
  | 'hang'
  /** Nothing listens where the backend should be. */
  | 'refused'
  /** The credentials are not accepted (S3). */
  | 'credentials';

/** What a driver's test hands the contract. */
export interface ContractFixture {
  /** A storage holding exactly {@link CONTRACT_FILES}. */
  storage: Storage;
  /** What the backend has been asked so far (any format): only its length is compared. */
  requests(): readonly string[];
  /** Whether the backend saw a request for this key (decoded), to prove keys arrive intact. */
  sawKey?(key: string): boolean;
  /** Can the test GET `storage.url(key)` and receive the file? */
  fetchable: boolean;
  /** A storage over a failing backend, per fault kind. `hang` must use a short driver `timeout`. */
  faults: Partial<Record<FaultKind, () => Storage | Promise<Storage>>>;
  close(): Promise<void>;
}

async function rejection(promise: Promise<unknown>): Promise<LogoFallbackError> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    assert.instance(error, LogoFallbackError, `expected a LogoFallbackError, got ${String(error)}`);
    return error as LogoFallbackError;
  }
  assert.unreachable(`expected a rejection, got ${JSON.stringify(value)}`);
  throw new Error('unreachable');
}

/**
 * Runs the contract against a driver. `setup` starts its backend with {@link CONTRACT_FILES};
 * `faults` lists the fault kinds the driver must handle (a listed kind the fixture lacks fails).
 */
export function storageContract(name: string, setup: () => Promise<ContractFixture>, faults: readonly FaultKind[]): void {
  const test = suite<{ fixture?: ContractFixture }>(`storage contract: ${name}`);
  const fixture = (context: { fixture?: ContractFixture }): ContractFixture => {
    if (context.fixture === undefined) throw new Error('setup failed');
    return context.fixture;
  };

  test.before(async (context) => {
    context.fixture = await setup();
  });
  test.after(async (context) => {
    await context.fixture?.close();
  });

  test('every stored key exists, and the backend got the key intact', async (context) => {
    const { storage, sawKey } = fixture(context);
    for (const key of CONTRACT_FILES.keys()) {
      assert.is(await storage.exists(key), true, key);
      if (sawKey !== undefined) assert.ok(sawKey(key), `the backend did not see ${JSON.stringify(key)} intact`);
    }
  });

  test('a key that is not stored is missing', async (context) => {
    const { storage } = fixture(context);
    assert.is(await storage.exists('base/company/icon/nobody.png'), false);
    assert.is(await storage.exists('base/company/icon/what'), false, 'a "?" key must not alias its prefix');
    assert.is(await storage.exists('base/company/icon/hash'), false, 'a "#" key must not alias its prefix');
    assert.is(await storage.exists('base:company:icon:acme.png'), false, '":" must not alias "/"');
  });

  test('an unsafe key is refused with INVALID_KEY and never sent', async (context) => {
    const { storage, requests } = fixture(context);
    const before = requests().length;
    for (const key of UNSAFE_KEYS) {
      const error = await rejection(storage.exists(key));
      assert.is(error.code, 'INVALID_KEY', key);
    }
    assert.is(requests().length, before, 'the backend saw a request for an unsafe key');
  });

  test('url(key) encodes each segment and is safe in an attribute', async (context) => {
    const { storage, fetchable } = fixture(context);
    for (const [key, body] of CONTRACT_FILES) {
      const url = storage.url(key);
      assert.ok(isAttributeSafe(url), `unsafe URL ${url}`);
      assert.ok(url.includes(encodeKey(key)), `${url} does not contain ${encodeKey(key)}`);
      assert.not.match(url, /[#\s"'<>]/);
      if (fetchable) {
        const response = await fetch(url);
        assert.is(response.status, 200, `GET ${url}`);
        assert.equal(Buffer.from(await response.arrayBuffer()), body, `GET ${url} returned other bytes`);
      }
    }
  });

  test('the driver provides every fault it lists', (context) => {
    assert.equal(
      faults.filter((kind) => fixture(context).faults[kind] === undefined),
      [],
    );
  });

  for (const kind of faults) {
    test(`a ${kind} backend is a STORAGE_FAILED fault naming the driver, never "missing"`, async (context) => {
      const make = fixture(context).faults[kind];
      if (make === undefined) throw new Error(`no ${kind} fixture`);
      const storage = await make();
      const error = await rejection(storage.exists('base/company/icon/acme.png'));
      assert.ok(error.code === 'STORAGE_FAILED' || error.code === 'ROOT_MISSING', `${kind}: ${error.code} ${error.message}`);
      assert.is(error.storage, storage.name);
      assert.ok(error.message.includes(storage.name), error.message);
      if (kind === 'credentials') assert.match(error.message, /403|credentials|access key/i);
      if (kind === 'hang') assert.match(error.message, /within \d+ ms/);
    });
  }

  if (faults.includes('hang')) {
    test('an aborted signal ends a hanging check with a fault at once', async (context) => {
      const make = fixture(context).faults.hang;
      if (make === undefined) throw new Error('no hang fixture');
      const storage = await make();
      const controller = new AbortController();
      const pending = storage.exists('base/company/icon/acme.png', controller.signal);
      controller.abort();
      const error = await rejection(pending);
      assert.is(error.code, 'STORAGE_FAILED');
      assert.match(error.message, /abort/);
    });
  }

  test.run();
}
