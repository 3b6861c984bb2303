/**
 * "Present" is `true`, and only `true` (DESIGN.md, "Present means servable"): a driver's
 * `existsSync()` that returns a Promise (a truthy object), `'false'` or `1`, an `exists()` that
 * resolves `'yes'`, a `stat()` that resolves `null`, a shared tier that answers `{ exists: 'yes' }`
 * — each is the driver's fault, reported once with its name, never a logo printed for a file that
 * is not there (a broken image) nor a logo hidden by a falsy stand-in.
 */
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, uiAvatars, type LogoFallbackError, type SharedTier, type Storage } from '../src/index.js';
import { tempMedia } from './helpers/media.js';

const media = tempMedia({ 'acme.png': 'png', 'empty.png': '' });
const fs = fsStorage({ root: media.root, baseUrl: '/media/' });
const avatar = uiAvatars({ background: '#1e3a8a' });
const AC = 'https://ui-avatars.com/api/?name=AC&background=1e3a8a&color=ffffff';
const PRESENT = '/media/acme.png';
const acme = { company: 'Acme Corp', icon: 'acme.png' };
const gone = { company: 'Acme Corp', icon: 'gone.png' };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
test.before(() => {
  process.on('unhandledRejection', onUnhandled);
});
test.after(() => {
  process.off('unhandledRejection', onUnhandled);
  media.cleanup();
});

function resolverOver(storage: Storage, extra: Parameters<typeof createLogoResolver>[0] = {}) {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage, avatar, onError: (e) => errors.push(e), ...extra });
  return { logos, errors };
}

/** Every way a caller reaches a check: sync, async, settle, lookup, and a Nunjucks render. */
async function expectFault(storage: Storage, message: RegExp, extra: Parameters<typeof createLogoResolver>[0] = {}): Promise<void> {
  const { logos, errors } = resolverOver(storage, extra);
  for (const record of [acme, gone]) {
    logos.logo(record); // a sync render starts the check when it has none
    assert.is(await logos.logoAsync(record), AC, `${record.icon}: the avatar, never a URL`);
    assert.is(await logos.settleLogo(record), AC);
    assert.is(logos.logo(record), AC);
    assert.equal(await logos.lookup(record.icon), { state: 'fault', key: record.icon });
  }
  const env = registerNunjucks(new nunjucks.Environment(), logos);
  assert.is(env.renderString('<img src="{{ c | get_company_logo }}">', { c: acme }), `<img src="${AC.replaceAll('&', '&amp;')}">`);
  assert.ok(errors.length >= 1, 'reported');
  assert.ok(errors.every((e) => e.code === 'STORAGE_FAILED'), errors.map((e) => e.code).join());
  assert.match(errors[0]?.message ?? '', message);
  // About the driver, not each key: once per window whatever the number of keys.
  assert.is(new Set(errors.map((e) => e.message)).size, errors.length, 'each problem once');
}

test('existsSync returning a Promise: a fault naming the driver, saying it must be synchronous; a rejection never goes unhandled', async () => {
  const custom = (existsSync: (key: string) => unknown): Storage => ({ name: 'custom', baseUrl: '/media/', exists: fs.exists, existsSync: existsSync as (key: string) => boolean, url: fs.url });
  await expectFault(custom(async () => false), /^\[logo-fallback\] custom storage: existsSync returned a Promise: existsSync must be synchronous/);
  await expectFault(custom(async (key) => fs.exists(key)), /existsSync returned a Promise/);
  await expectFault(custom(async () => { throw new Error('EACCES'); }), /existsSync returned a Promise/);
  await expectFault(custom(() => ({ then: (_: unknown, reject: (e: Error) => void) => reject(new Error('thenable')) })), /existsSync returned a Promise/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(unhandled, [], 'no unhandled rejection');
});

test("existsSync returning a truthy or falsy stand-in ('false', 'true', 1, 0, null, undefined, an object): a fault", async () => {
  for (const value of ['false', 'true', 1, 0, null, undefined, {}, '']) {
    const storage: Storage = { name: 'custom', baseUrl: '/media/', exists: fs.exists, existsSync: () => value as boolean, url: fs.url };
    await expectFault(storage, /custom storage: existsSync\(\) returned .*: it must return true \(present\) or false \(missing\), nothing else/);
  }
});

test("exists() resolving 'yes', 1, 'false', null, undefined or an object: a fault, not a present (or missing) logo", async () => {
  for (const value of ['yes', 1, 'false', 'true', null, undefined, {}, 0]) {
    const storage: Storage = { name: 'remote', baseUrl: '/media/', exists: async () => value as boolean, url: fs.url };
    await expectFault(storage, /^\[logo-fallback\] remote storage: exists\(\) resolved .*: it must resolve true \(present\) or false \(missing\)/);
  }
});

test('the real answers still decide: true is present, false is missing (sync and async)', async () => {
  const asyncOnly: Storage = { name: 'remote', baseUrl: '/media/', exists: (key) => fs.exists(key), url: fs.url };
  for (const storage of [fs, asyncOnly]) {
    const { logos, errors } = resolverOver(storage);
    assert.is(await logos.logoAsync(acme), PRESENT);
    assert.is(await logos.logoAsync(gone), AC);
    assert.is(await logos.logoAsync({ company: 'Acme Corp', icon: 'empty.png' }), AC);
    assert.equal(errors, []);
  }
});

test("stat() (version: true) resolving null, true or a string: a fault; an entry of 0 bytes: missing", async () => {
  for (const value of [null, true, 'acme.png', 1]) {
    const storage: Storage = { name: 'statting', baseUrl: '/media/', exists: fs.exists, stat: async () => value as never, url: fs.url };
    await expectFault(storage, /statting storage: stat\(\) resolved .*: it must resolve the file's entry \(an object\) or undefined/, { version: true });
  }
  const empty: Storage = { name: 'statting', baseUrl: '/media/', exists: fs.exists, stat: async (key) => ({ key, size: 0, modified: 1 }), url: fs.url };
  const { logos, errors } = resolverOver(empty, { version: true });
  assert.equal(await logos.lookup('acme.png'), { state: 'missing', key: 'acme.png' });
  assert.is(await logos.logoAsync(acme), AC);
  assert.equal(errors, []);
  const real = resolverOver(fs, { version: true });
  assert.match(await real.logos.logoAsync(acme), /^\/media\/acme\.png\?v=/);
});

test("a shared tier answering { exists: 'yes' }: a fault, reported, never a logo", async () => {
  const tier = (exists: unknown): SharedTier => ({
    name: 'odd',
    connect: () => ({ check: async () => ({ exists }) as never, invalidate: () => undefined }),
  });
  for (const exists of ['yes', 1, null, undefined]) {
    const asyncOnly: Storage = { name: 'remote', baseUrl: '/media/', exists: (key) => fs.exists(key), url: fs.url };
    await expectFault(asyncOnly, /remote storage: the shared tier's check\(\) resolved .*: it must resolve \{ exists: true \} or \{ exists: false \}/, { shared: tier(exists) });
  }
});

test.run();
