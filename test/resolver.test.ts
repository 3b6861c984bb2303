import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage, LogoFallbackError, uiAvatars, type LogoFallbackErrorCode } from '../src/index.js';
import { recording, tempMedia } from './helpers/media.js';
import { until } from './cache-servers.js';

const media = tempMedia({ 'base/company/icon/acme.png': 'png', "base/company/icon/o'brien (1).png": 'png' });
const avatar = uiAvatars({ background: '#1e3a8a' });
const AW = 'https://ui-avatars.com/api/?name=AW&background=1e3a8a&color=ffffff';
const C = 'https://ui-avatars.com/api/?name=C&background=1e3a8a&color=ffffff';

function setup(extra: Parameters<typeof createLogoResolver>[0] = {}) {
  const errors: LogoFallbackError[] = [];
  const storage = recording(fsStorage({ root: media.root, baseUrl: '/media/' }));
  const logos = createLogoResolver({ storage, avatar, onError: (e) => errors.push(e), ...extra });
  return { logos, errors, storage };
}

test('fileUrl: present key → URL; missing → avatar for the name', () => {
  const { logos } = setup();
  assert.is(logos.fileUrl('base/company/icon/acme.png', 'Acme Widgets'), '/media/base/company/icon/acme.png');
  assert.is(logos.fileUrl('base/company/icon/gone.png', 'Acme Widgets'), AW);
  assert.is(logos.fileUrl("base/company/icon/o'brien (1).png"), '/media/base/company/icon/o%27brien%20%281%29.png');
});

test('fileUrl: our URLs, absolute paths inside the root and FieldFile-like objects are checked by key', () => {
  const { logos } = setup();
  for (const value of [
    '/media/base/company/icon/acme.png',
    `${media.root}/base/company/icon/acme.png`,
    { name: 'base/company/icon/acme.png', url: '/media/base/company/icon/acme.png' },
    { url: '/media/base/company/icon/acme.png' },
  ]) {
    assert.is(logos.fileUrl(value, 'Acme Widgets'), '/media/base/company/icon/acme.png');
  }
  assert.is(logos.fileUrl('/media/base/company/icon/gone.png', 'Acme Widgets'), AW);
});

test('fsStorage({ root: "/" }): absolute paths, keys and URLs of ours are checked; traversal is still refused', async () => {
  const { logos, storage, errors } = setup({ storage: recording(fsStorage({ root: '/', baseUrl: '/files/' })) });
  const file = `${media.root}/base/company/icon/acme.png`;
  const url = `/files${file}`;
  assert.is(logos.fileUrl(file, 'Acme Widgets'), url);
  assert.is(logos.fileUrl(file.slice(1), 'Acme Widgets'), url);
  assert.is(await logos.fileUrlAsync(url, 'Acme Widgets'), url);
  assert.is(logos.fileUrl(`${media.root}/base/company/icon/gone.png`, 'Acme Widgets'), AW);
  assert.is(logos.fileUrl(`${media.root}/../../etc/passwd`, 'Acme Widgets'), AW);
  assert.is(logos.fileUrl('/files/%2e%2e/etc/passwd', 'Acme Widgets'), AW);
  assert.ok(storage.calls.every((key) => !key.includes('..')), storage.calls.join());
  assert.is(errors.filter((error) => error.code === 'INVALID_KEY').length, 2);
});

test('an absolute path beside the root is not a key of the storage: returned as it is, never checked', () => {
  const { logos, storage } = setup();
  const beside = `${media.root}-old/base/company/icon/acme.png`;
  assert.is(logos.fileUrl(beside, 'Acme Widgets'), beside);
  assert.is(logos.fileUrl(`${media.root}x.png`, 'Acme Widgets'), `${media.root}x.png`);
  assert.equal(storage.calls, []);
});

test('fileUrl: foreign URLs are returned unchanged and never checked', () => {
  const { logos, storage } = setup();
  const url = 'https://ui-avatars.com/api/?name=All+Company&background=random';
  assert.is(logos.fileUrl(url, 'All Company'), url);
  assert.is(logos.fileUrl('/static/images/ui/logo.png'), '/static/images/ui/logo.png');
  assert.equal(storage.calls, []);
});

test('fileUrl: nothing usable → avatar, without a storage call', () => {
  const { logos, storage, errors } = setup();
  for (const value of [null, undefined, '', 0, 42, NaN, [], ['base/company/icon/acme.png'], {}, { name: 3 }, true, Symbol('x'), () => 'x']) {
    assert.is(logos.fileUrl(value, 'Acme Widgets'), AW);
  }
  assert.equal(storage.calls, []);
  assert.equal(errors, []);
});

test('fileUrl: unsafe references → avatar, onError told once per reference per window, storage never asked', () => {
  const { logos, storage, errors } = setup();
  const unsafe = ['../secret.png', '%2e%2e/secret.png', '/etc/passwd/../x', 'a\\b.png', 'a\u0000.png', 'javascript:alert(1)', 'data:text/html,x', 'x'.repeat(2000)];
  for (const value of unsafe) {
    assert.is(logos.fileUrl(value, 'Acme Widgets'), AW);
    assert.is(logos.fileUrl(value, 'Acme Widgets'), AW);
  }
  assert.equal(storage.calls, []);
  assert.is(errors.length, unsafe.length);
  assert.ok(errors.every((e) => e instanceof LogoFallbackError && e.code === 'INVALID_KEY' && e.message.startsWith('[logo-fallback]')));
});

class Company {
  readonly #icon: string;
  constructor(icon: string) {
    this.#icon = icon;
  }
  get company() {
    return 'Acme Widgets';
  }
  get icon() {
    return this.#icon;
  }
}

test('logo: plain objects, class instances with getters, Maps and session dicts', () => {
  const { logos } = setup();
  const present = '/media/base/company/icon/acme.png';
  assert.is(logos.logo({ company: 'Acme Widgets', icon: 'base/company/icon/acme.png' }), present);
  assert.is(logos.logo(new Company('base/company/icon/acme.png')), present);
  assert.is(logos.logo(new Map([['company', 'Acme Widgets'], ['icon', 'base/company/icon/acme.png']])), present);
  // Horilla's session dict keeps the URL, not the key.
  assert.is(logos.logo({ company: 'Acme Widgets', icon: present, text: 'My Company', id: 1 }), present);
  assert.is(logos.logo({ name: 'Acme Widgets', logo: 'base/company/icon/acme.png' }), present);
  assert.is(logos.logo(new Company('base/company/icon/gone.png')), AW);
  assert.is(logos.logo({ company: 'Acme Widgets' }), AW);
});

test('logo: a Map and a class instance are checked like any record — a known URL when present, the avatar when missing', async () => {
  const { logos, storage } = setup();
  const map = (icon: string) => new Map([['company', 'Acme Widgets'], ['icon', icon]]);
  assert.is(logos.logo(map('base/company/icon/gone-map.png')), AW);
  assert.is(logos.logo(new Company('base/company/icon/gone-class.png')), AW);
  assert.is(await logos.logoAsync(map('base/company/icon/gone-map2.png')), AW);
  assert.is(await logos.logoAsync(new Company('base/company/icon/gone-class2.png')), AW);
  assert.is(logos.logo(map('base/company/icon/acme.png')), '/media/base/company/icon/acme.png');
  assert.is(await logos.logoAsync(new Company("base/company/icon/o'brien (1).png")), '/media/base/company/icon/o%27brien%20%281%29.png');
  assert.equal(storage.calls, [
    'base/company/icon/gone-map.png',
    'base/company/icon/gone-class.png',
    'base/company/icon/gone-map2.png',
    'base/company/icon/gone-class2.png',
    'base/company/icon/acme.png',
    "base/company/icon/o'brien (1).png",
  ]);
  assert.is(logos.name(map('x')), 'Acme Widgets');
});

test('logo: not a record → the placeholder avatar', () => {
  const { logos } = setup();
  for (const value of [null, undefined, '', 'Acme Widgets', 7, [], true]) assert.is(logos.logo(value), C);
  assert.is(logos.logo({}), C);
  assert.is(logos.logo({ company: '  ' }), C);
  assert.is(logos.logo({ company: '!!! ???' }), C);
});

test('logo: a throwing getter is reported, not thrown', () => {
  const { logos, errors } = setup();
  const record = {
    company: 'Acme Widgets',
    get icon(): string {
      throw new Error('lazy relation not loaded');
    },
  };
  assert.is(logos.logo(record), AW);
  assert.is(errors[0]?.code, 'INVALID_RECORD');
});

test('name: reads the name fields, takes a string as the name, falls back', () => {
  const { logos } = setup();
  assert.is(logos.name(new Company('x')), 'Acme Widgets');
  assert.is(logos.name(new Map([['name', ' Zed ']])), 'Zed');
  assert.is(logos.name('My Company'), 'My Company');
  assert.is(logos.name(undefined, 'My Company'), 'My Company');
  assert.is(logos.name({}), '');
  assert.is(logos.name({ company: 'x'.repeat(20_000) }).length, 10_000);
  assert.is(logos.name({ company: 'a\ud800b' }), 'a\ufffdb');
});

test('custom fields and placeholder', () => {
  const { logos } = setup({ fields: { name: 'title', file: ['picture'] }, placeholder: 'Acme Widgets' });
  assert.is(logos.logo({ title: 'Acme Widgets', picture: 'base/company/icon/acme.png' }), '/media/base/company/icon/acme.png');
  assert.is(logos.logo(null), AW);
});

test('cache: one storage check per key per window, sync renders answer from it', async () => {
  const { logos, storage } = setup();
  for (let i = 0; i < 5; i++) logos.fileUrl('base/company/icon/acme.png');
  for (let i = 0; i < 5; i++) await logos.fileUrlAsync('base/company/icon/gone.png');
  await Promise.all(Array.from({ length: 20 }, () => logos.fileUrlAsync('base/company/icon/other.png')));
  assert.equal(storage.calls, ['base/company/icon/acme.png', 'base/company/icon/gone.png', 'base/company/icon/other.png']);
});

test('invalidate: an upload is seen at once', async () => {
  const files = tempMedia();
  const logos = createLogoResolver({ storage: fsStorage({ root: files.root }), avatar, onError: () => {} });
  assert.is(logos.fileUrl('new.png', 'Acme Widgets'), AW);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${files.root}/new.png`, 'png');
  assert.is(logos.fileUrl('new.png', 'Acme Widgets'), AW, 'still cached as missing');
  logos.invalidate('/media/new.png');
  assert.is(logos.fileUrl('new.png', 'Acme Widgets'), '/media/new.png');
  logos.invalidate();
  files.cleanup();
  assert.is(logos.fileUrl('new.png', 'Acme Widgets'), AW);
});

test('cache: false checks every time; ttl 0 too', () => {
  for (const cache of [false as const, { ttl: 0 }]) {
    const { logos, storage } = setup({ cache });
    logos.fileUrl('base/company/icon/acme.png');
    logos.fileUrl('base/company/icon/acme.png');
    assert.is(storage.calls.length, 2);
  }
});

test('async storage without existsSync: a sync render answers the avatar and starts a check; prefetch makes it right', async () => {
  const fs = fsStorage({ root: media.root });
  const asyncOnly = { name: 'async-fs', baseUrl: '/media/', exists: fs.exists, url: fs.url };
  const logos = createLogoResolver({ storage: asyncOnly, avatar });
  assert.is(logos.fileUrl('base/company/icon/acme.png', 'Acme Widgets'), AW);
  await until(() => logos.fileUrl('base/company/icon/acme.png', 'Acme Widgets') !== AW, 10_000, 'the background check');
  assert.is(logos.fileUrl('base/company/icon/acme.png', 'Acme Widgets'), '/media/base/company/icon/acme.png');

  const fresh = createLogoResolver({ storage: asyncOnly, avatar });
  await fresh.prefetch([{ company: 'Acme Widgets', icon: 'base/company/icon/acme.png' }, null, 42, { icon: '../x' }]);
  assert.is(fresh.logo({ company: 'Acme Widgets', icon: 'base/company/icon/acme.png' }), '/media/base/company/icon/acme.png');
  const files = createLogoResolver({ storage: asyncOnly, avatar });
  await files.prefetch(['base/company/icon/acme.png', { name: "base/company/icon/o'brien (1).png" }], { files: true });
  assert.is(files.fileUrl('base/company/icon/acme.png'), '/media/base/company/icon/acme.png');
  await files.prefetch(null);
  await files.prefetch(42 as never);
});

test('a storage without a fixed baseUrl (presigned URLs) is asked for the URL on every answer', async () => {
  let signed = 0;
  const fs = fsStorage({ root: media.root });
  const presigning = { name: 'presigning', exists: fs.exists, url: (key: string) => `https://bucket.example/${key}?X-Amz-Signature=${++signed}` };
  const logos = createLogoResolver({ storage: presigning, avatar });
  assert.is(await logos.fileUrlAsync('base/company/icon/acme.png'), 'https://bucket.example/base/company/icon/acme.png?X-Amz-Signature=1');
  assert.is(logos.fileUrl('base/company/icon/acme.png'), 'https://bucket.example/base/company/icon/acme.png?X-Amz-Signature=2');
  const errors: LogoFallbackError[] = [];
  const unsafe = createLogoResolver({ storage: { ...presigning, url: () => 'https://x/"onerror' }, avatar, onError: (e) => errors.push(e) });
  assert.is(await unsafe.fileUrlAsync('base/company/icon/acme.png', 'Acme Widgets'), AW);
  assert.is(unsafe.fileUrl('base/company/icon/acme.png', 'Acme Widgets'), AW);
  assert.is(errors.length, 1, 'the unsafe URL was reported (once)');
  assert.is(errors[0]?.code, 'INVALID_KEY');
  assert.match(errors[0]?.message ?? '', /presigning storage built an unsafe URL for "base\/company\/icon\/acme.png"/);
  // The same with a fixed baseUrl, where the URL is built once, when the reference is parsed.
  const fixed = createLogoResolver({ storage: { ...fs, baseUrl: '/media/', url: (key: string) => `/media/${key}` }, avatar, onError: (e) => errors.push(e) });
  assert.is(fixed.fileUrl("base/company/icon/o'brien (1).png", 'Acme Widgets'), AW);
  assert.is(errors.length, 2);
  assert.match(errors[1]?.message ?? '', /built an unsafe URL/);
});

test('a root that does not exist yet: every logo is an avatar, onError says why once', () => {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage: fsStorage({ root: `${media.root}/not-yet` }), avatar, onError: (e) => errors.push(e) });
  assert.is(logos.fileUrl('a.png', 'Acme Widgets'), AW);
  assert.is(logos.fileUrl('b.png', 'Acme Widgets'), AW);
  assert.is(errors.length, 1);
  assert.is(errors[0]?.code, 'ROOT_MISSING');
});

test('a storage fault is reported once and ends in the avatar; a throwing onError is ignored', async () => {
  let calls = 0;
  const broken = { name: 'broken', exists: async () => { calls++; throw new Error('EACCES'); }, url: (k: string) => `/m/${k}` };
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage: broken, avatar, onError: (e) => { errors.push(e); throw new Error('logger down'); } });
  assert.is(await logos.fileUrlAsync('a.png', 'Acme Widgets'), AW);
  assert.is(await logos.fileUrlAsync('a.png', 'Acme Widgets'), AW);
  assert.is(calls, 1, 'a fault is cached for missTtl');
  assert.is(errors.length, 1);
  assert.is(errors[0]?.code, 'STORAGE_FAILED');
  assert.match(errors[0]?.message ?? '', /broken storage.*EACCES/);
});

test('a hung storage answers the avatar within timeout', async () => {
  const hung = { name: 'hung', exists: () => new Promise<boolean>(() => {}), url: (k: string) => `/m/${k}` };
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage: hung, avatar, timeout: 20, onError: (e) => errors.push(e) });
  assert.is(await logos.fileUrlAsync('a.png', 'Acme Widgets'), AW);
  assert.is(errors[0]?.code, 'TIMEOUT');
});

test('a broken avatar provider still gives a safe URL', () => {
  const errors: LogoFallbackError[] = [];
  for (const bad of [() => 'javascript:"x"', () => { throw new Error('boom'); }, () => 42 as unknown as string]) {
    // It draws the placeholder (tried at construction), and fails for names.
    const logos = createLogoResolver({ avatar: (subject) => (subject.name === 'C' ? '/a/C.svg' : bad()), onError: (e) => errors.push(e) });
    assert.match(logos.avatar('Acme'), /^data:image\/svg\+xml,[^"'<>\s]+$/);
  }
  assert.is(errors.length, 3);
  assert.ok(errors.every((error) => error.code === 'AVATAR_FAILED'), 'a render-time code, not INVALID_OPTION (which is thrown at construction)');
});

test('bad options throw LogoFallbackError at construction, naming the option', () => {
  const cases: Array<[() => unknown, LogoFallbackErrorCode, RegExp]> = [
    [() => fsStorage({} as never), 'MISSING_OPTION', /"root" option is required/],
    [() => fsStorage({ root: '' }), 'MISSING_OPTION', /"root"/],
    [() => fsStorage({ root: 3 as never }), 'INVALID_OPTION', /"root" must be a string/],
    [() => fsStorage({ root: 'media', baseUrl: 'media/' }), 'INVALID_OPTION', /"baseUrl" must be a path-absolute URL/],
    [() => fsStorage({ root: 'media', baseUrl: 'ftp://x/' }), 'INVALID_OPTION', /"baseUrl"/],
    [() => fsStorage({ root: 'media', baseUrl: '/me"dia/' }), 'INVALID_OPTION', /"baseUrl"/],
    [() => createLogoResolver({ cache: { ttl: -1 } }), 'INVALID_OPTION', /"cache.ttl" must be a finite number from 0 to 2147483647, got -1/],
    [() => createLogoResolver({ cache: { ttl: Infinity } }), 'INVALID_OPTION', /"cache.ttl" must be a finite number from 0 to 2147483647, got Infinity$/],
    [() => createLogoResolver({ cache: { missTtl: Number.NaN } }), 'INVALID_OPTION', /"cache.missTtl" .* got NaN$/],
    [() => createLogoResolver({ cache: { hardTimeout: Infinity } }), 'INVALID_OPTION', /"cache.hardTimeout" .* got Infinity$/],
    [() => createLogoResolver({ cache: { hardTimeout: 2 ** 31 } }), 'INVALID_OPTION', /"cache.hardTimeout" must be a finite number from 1 to 2147483647, got 2147483648$/],
    [() => createLogoResolver({ cache: { hardTimeout: 100 } }), 'INVALID_OPTION', /"cache.hardTimeout" must be at least "timeout" \(300 ms\)/],
    [() => createLogoResolver({ cache: { staleIfError: -Infinity } }), 'INVALID_OPTION', /"cache.staleIfError" .* got -Infinity$/],
    [() => createLogoResolver({ cache: { staleIfError: '60s' as never } }), 'INVALID_OPTION', /"cache.staleIfError" .* got "60s"$/],
    [() => createLogoResolver({ cache: { max: 1.5 } }), 'INVALID_OPTION', /"cache.max" must be an integer from 1 to 1000000, got 1.5$/],
    [() => createLogoResolver({ cache: { max: 2 ** 40 } }), 'INVALID_OPTION', /"cache.max"/],
    [() => createLogoResolver({ timeout: 600_001 }), 'INVALID_OPTION', /"timeout" .* got 600001$/],
    [() => createLogoResolver({ concurrency: 0 }), 'INVALID_OPTION', /"concurrency" must be an integer from 1 to 1024, got 0$/],
    [() => createLogoResolver({ concurrency: Infinity }), 'INVALID_OPTION', /"concurrency" .* got Infinity$/],
    [() => createLogoResolver({ cahce: {} } as never), 'INVALID_OPTION', /unknown key "cahce" in the options; the known keys are "storage", "avatar", "fields", "placeholder", "cache", "timeout", "concurrency", "shared", "version", "onError"/],
    [() => createLogoResolver({ fields: { nmae: 'title' } } as never), 'INVALID_OPTION', /unknown key "nmae" in "fields"; the known keys are "name", "file"/],
    [() => createLogoResolver({ cache: { tll: 1, maxx: 2 } } as never), 'INVALID_OPTION', /unknown keys "tll", "maxx" in "cache"; the known keys are "ttl", "missTtl", "max", "hardTimeout", "staleIfError"/],
    [() => createLogoResolver({ cache: [] as never }), 'INVALID_OPTION', /"cache" must be an object such as \{ ttl: 30_000 \} or false, got an array/],
    [() => createLogoResolver({ fields: 'title' as never }), 'INVALID_OPTION', /"fields" must be a plain object, got "title"/],
    [() => createLogoResolver(new Proxy({}, { ownKeys: () => { throw new Error('trap'); } })), 'INVALID_OPTION', /the options must be a plain object/],
    [() => createLogoResolver({ get timeout(): number { throw new Error('getter'); } }), 'INVALID_OPTION', /the options could not be read: getter/],
    [() => createLogoResolver({ fields: { name: [1n] as never } }), 'INVALID_OPTION', /"fields.name" must be a field name or a non-empty array of field names, got an array/],
    [() => createLogoResolver({ placeholder: 5n as never }), 'INVALID_OPTION', /"placeholder" .* got 5n$/],
    [() => createLogoResolver({ cache: { max: 0 } }), 'INVALID_OPTION', /"cache.max"/],
    [() => createLogoResolver({ timeout: 0 }), 'INVALID_OPTION', /"timeout"/],
    [() => createLogoResolver({ timeout: Number.NaN }), 'INVALID_OPTION', /"timeout"/],
    [() => createLogoResolver({ placeholder: '' }), 'INVALID_OPTION', /"placeholder"/],
    [() => createLogoResolver({ fields: { name: [] } }), 'INVALID_OPTION', /"fields.name"/],
    [() => createLogoResolver({ storage: {} as never }), 'INVALID_OPTION', /"storage"/],
    [() => createLogoResolver({ storage: { exists: async () => true, url: (k: string) => k } as never }), 'INVALID_OPTION', /"storage" must have a name .* got undefined$/],
    [() => createLogoResolver({ storage: { name: '', exists: async () => true, url: (k: string) => k } }), 'INVALID_OPTION', /"storage" must have a name/],
    [() => createLogoResolver({ storage: { name: 'x', exists: async () => true, existsSync: true as never, url: (k: string) => k } }), 'INVALID_OPTION', /"storage.existsSync" must be a function when present, got true$/],
    [() => createLogoResolver({ avatar: 'x' as never }), 'INVALID_OPTION', /"avatar"/],
    [() => uiAvatars({ background: 'red' }), 'INVALID_OPTION', /"background" must be a hex colour/],
    [() => uiAvatars({ size: 5000 }), 'INVALID_OPTION', /"size"/],
  ];
  for (const [make, code, message] of cases) {
    try {
      make();
      assert.unreachable(`expected ${code}`);
    } catch (error) {
      assert.instance(error, LogoFallbackError);
      assert.is((error as LogoFallbackError).code, code);
      assert.match((error as Error).message, /^\[logo-fallback\] /);
      assert.match((error as Error).message, message);
    }
  }
});

test.after(() => media.cleanup());
test.run();
