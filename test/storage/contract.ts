/**
 * The one storage contract every driver passes (DESIGN.md "Storage"): exists, missing, unsafe keys
 * never reach the backend, keys with spaces / Unicode / `#` / `?` are encoded, every way the
 * backend can fail is a `STORAGE_FAILED` fault naming the driver — never a `false` — and
 * `exists`, `stat` and `list` agree on every fixture ("present means servable").
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LogoFallbackError, encodeKey, isAttributeSafe, type Storage, type StorageEntry } from '../../src/index.js';
import { keyProblem } from '../../src/keys.js';

/** Keys the contract stores as non-empty files; each is a case a URL, a backend or a listing gets wrong. */
export const CONTRACT_FILES: ReadonlyMap<string, Buffer> = new Map([
  ['base/company/icon/acme.png', Buffer.from('acme')],
  ['base/company/icon/with space.png', Buffer.from('space')],
  ['base/company/icon/Ørsted A⁄S 株式会社.png', Buffer.from('unicode')],
  ['base/company/icon/hash#1.png', Buffer.from('hash')],
  ['base/company/icon/what?v=2.png', Buffer.from('query')],
  ["base/company/icon/o'brien (1)+50%.png", Buffer.from('quote')],
  // XML's special characters: S3 escapes them in a listing.
  ['base/company/icon/R&D <beta> "x".png', Buffer.from('xml')],
  // A name that is already percent-encoded on disk: the key is the literal name.
  ['base/company/icon/a%20b.png', Buffer.from('literal percent')],
  // Decomposed (NFD) "é": a different key from the composed one, byte for byte as stored.
  ['base/company/icon/cafe\u0301.png', Buffer.from('nfd')],
  ['base/company/icon/CaseOnly.PNG', Buffer.from('case')],
  // Makes "base/company/icon/folder.png" a directory (or, on object stores, a prefix).
  ['base/company/icon/folder.png/inside.png', Buffer.from('nested')],
]);

/** Stored but never "present": a 0-byte file (an interrupted copy), which draws a broken image. */
export const CONTRACT_EMPTY = 'base/company/icon/empty.png';

/**
 * Stored under names that break the key rules: `exists` refuses them with INVALID_KEY and `list`
 * skips them. A backend that cannot hold such a name (unstorage reads `\\` as a separator) stores
 * what it can of the list.
 */
export const CONTRACT_UNSAFE_NAMES: readonly string[] = ['base/company/icon/back\\slash.png', 'base/company/icon/enc%2Fslash.png', 'base/company/icon/ctl\u0001.png'];

/** Everything a backend holds for the contract: the files, the empty one, and the unsafe names. */
export const CONTRACT_STORED: ReadonlyMap<string, Buffer> = new Map([
  ...CONTRACT_FILES,
  [CONTRACT_EMPTY, Buffer.alloc(0)],
  ...CONTRACT_UNSAFE_NAMES.map((name) => [name, Buffer.from('unsafe')] as const),
]);

/** Keys that are missing although something similar is stored. */
const MISSING_KEYS = [
  'base/company/icon/nobody.png',
  CONTRACT_EMPTY,
  'base/company/icon/folder.png', // a directory
  'base/company', // a directory
  'base/company/icon/caseonly.png', // the stored one is CaseOnly.PNG
  'base/company/icon/caf\u00e9.png', // composed (NFC); the stored one is decomposed
  'base/company/icon/a b.png', // the stored name is literally "a%20b.png"
];

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
  /** A storage holding {@link CONTRACT_STORED} (what of it the backend can hold). */
  storage: Storage;
  /** What the backend has been asked so far (any format): only its length is compared. */
  requests(): readonly string[];
  /** Whether the backend saw a request for this key (decoded), to prove keys arrive intact. */
  sawKey?(key: string): boolean;
  /** Can the test GET `storage.url(key)` and receive the file? */
  fetchable: boolean;
  /** Whether the driver must implement `list` (every driver but HTTP). */
  lists: boolean;
  /** Whether `list` gives sizes without `{ stat: true }` (S3: the listing carries them). */
  listsSizes?: boolean;
  /** A storage over a failing backend, per fault kind. `hang` must use a short driver `timeout`. */
  faults: Partial<Record<FaultKind, () => Storage | Promise<Storage>>>;
  close(): Promise<void>;
}

async function collect(entries: AsyncIterable<StorageEntry>): Promise<StorageEntry[]> {
  const all: StorageEntry[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
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
  const test = suite<{ fixture?: ContractFixture; setupError?: unknown }>(`storage contract: ${name}`);
  const fixture = (context: { fixture?: ContractFixture; setupError?: unknown }): ContractFixture => {
    if (context.fixture === undefined) throw new Error(`setup failed: ${String(context.setupError)}`, { cause: context.setupError });
    return context.fixture;
  };

  // uvu 0.5 swallows an error thrown by a `before` hook and reports the suite green with 0 tests
  // run: keep the error, and let every test fail with it.
  test.before(async (context) => {
    try {
      context.fixture = await setup();
    } catch (error) {
      context.setupError = error;
    }
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

  test('present means a non-empty file: stat agrees with exists, with the right size', async (context) => {
    const { storage } = fixture(context);
    assert.type(storage.stat, 'function', 'every driver has stat()');
    for (const [key, body] of CONTRACT_FILES) {
      assert.is(await storage.exists(key), true, key);
      const entry = await storage.stat?.(key);
      assert.is(entry?.key, key);
      if (entry?.size !== undefined) assert.is(entry.size, body.length, `size of ${key}`);
      if (entry?.modified !== undefined) assert.ok(Math.abs(entry.modified - Date.now()) < 3_600_000, `modified of ${key}: ${entry.modified}`);
    }
    for (const key of MISSING_KEYS) {
      assert.is(await storage.exists(key), false, `exists(${JSON.stringify(key)})`);
      assert.is(await storage.stat?.(key), undefined, `stat(${JSON.stringify(key)})`);
    }
  });

  test('a stored name that breaks the key rules is refused, by exists and stat alike', async (context) => {
    const { storage } = fixture(context);
    for (const key of CONTRACT_UNSAFE_NAMES) {
      assert.is((await rejection(storage.exists(key))).code, 'INVALID_KEY', key);
      assert.is((await rejection(Promise.resolve().then(() => storage.stat?.(key)))).code, 'INVALID_KEY', key);
    }
  });

  test('list() gives every file once, and only keys exists() accepts; sizes agree with stat()', async (context) => {
    const { storage, lists, listsSizes } = fixture(context);
    if (!lists) {
      assert.is(storage.list, undefined, 'a driver that cannot list has no list()');
      return;
    }
    if (storage.list === undefined) throw new Error('list() is missing');
    for (const withStat of [false, true]) {
      const entries = await collect(storage.list('', undefined, { stat: withStat }));
      const keys = entries.map((entry) => entry.key);
      assert.equal(keys.length, new Set(keys).size, 'a key listed twice');
      for (const key of CONTRACT_FILES.keys()) assert.ok(keys.includes(key), `${JSON.stringify(key)} is not listed`);
      for (const entry of entries) {
        assert.is(keyProblem(entry.key), undefined, `an unsafe key is listed: ${JSON.stringify(entry.key)}`);
        const body = entry.key === CONTRACT_EMPTY ? Buffer.alloc(0) : CONTRACT_FILES.get(entry.key);
        assert.ok(body !== undefined, `listed a key that is neither a file nor the empty one: ${JSON.stringify(entry.key)}`);
        if (withStat || listsSizes === true) assert.is(entry.size, body?.length, `size of ${entry.key}`);
        // Listing and per-key checks agree, whatever the caller uses.
        if (entry.size !== undefined) assert.is(await storage.exists(entry.key), entry.size > 0, `exists(${JSON.stringify(entry.key)}) vs listed size ${entry.size}`);
      }
    }
  });

  test('list(prefix) gives exactly the keys starting with it, a directory or any other prefix', async (context) => {
    const { storage, lists } = fixture(context);
    if (!lists || storage.list === undefined) return;
    const all = (await collect(storage.list(''))).map((entry) => entry.key);
    for (const prefix of ['base/company/icon/', 'base/company/icon/folder.png/', 'base/company/ic', 'base/company/icon/C', 'base/company/icon/Ø', 'nothing/', 'base/company/icon/folder.png',
      // A prefix that runs through a stored FILE, as if it were a folder: nothing starts with it.
      'base/company/icon/acme.png/', 'base/company/icon/acme.png/x']) {
      const keys = (await collect(storage.list(prefix))).map((entry) => entry.key).sort();
      assert.equal(keys, all.filter((key) => key.startsWith(prefix)).sort(), `list(${JSON.stringify(prefix)})`);
    }
    assert.ok(all.filter((key) => key.startsWith('base/company/icon/C')).length > 0, 'the prefix "…/C" should match a file');
    for (const prefix of ['../', '/etc', 'base//', 'base/../', 'a\\b']) {
      const error = await rejection(collect(storage.list(prefix)));
      assert.is(error.code, 'INVALID_KEY', prefix);
    }
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

  test('hostile keys and prefixes (not strings, proxies, 10 MB) are INVALID_KEY, with a short message', async (context) => {
    const { storage, requests } = fixture(context);
    const before = requests().length;
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const throwing = new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } });
    const hostile: unknown[] = [null, undefined, 42, ['a.png'], { toString: () => 'a.png' }, revoked.proxy, throwing, `${'a/'.repeat(5_000_000)}b.png`];
    for (const value of hostile) {
      const calls: Array<() => Promise<unknown>> = [async () => storage.exists(value as string)];
      if (storage.stat !== undefined) calls.push(async () => storage.stat?.(value as string));
      const list = storage.list;
      if (list !== undefined) calls.push(async () => collect(list.call(storage, value as string)));
      for (const call of calls) {
        const error = await rejection(call());
        assert.is(error.code, 'INVALID_KEY');
        assert.ok(error.message.length < 400, `message of ${error.message.length} characters`);
      }
    }
    assert.is(requests().length, before, 'a hostile key reached the backend');
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
      if (storage.stat !== undefined) assert.ok(['STORAGE_FAILED', 'ROOT_MISSING'].includes((await rejection(storage.stat('base/company/icon/acme.png'))).code), `${kind}: stat`);
      if (storage.list !== undefined) assert.ok(['STORAGE_FAILED', 'ROOT_MISSING'].includes((await rejection(collect(storage.list('')))).code), `${kind}: list`);
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
