/**
 * Every public factory of the storages, the avatar providers and the avatar route refuses an options
 * key it does not know (a typo must not be silently ignored), at construction, with a
 * LogoFallbackError that names the key, the key it is likely a typo of, and the known keys — and
 * the known keys in that message are exactly the keys of the factory's TypeScript options type:
 * each table row's `all` is a `Required<XOptions>`, so the compiler makes it list every key, and the
 * message is compared with it at run time.
 */
import fc from 'fast-check';
import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  LogoFallbackError,
  fsStorage,
  httpStorage,
  initialsAvatar,
  s3Storage,
  uiAvatars,
  unstorageStorage,
  type FsStorageOptions,
  type HttpStorageOptions,
  type InitialsAvatarOptions,
  type S3StorageOptions,
  type UiAvatarsOptions,
  type UnstorageStorageOptions,
} from '../src/index.js';
import { optionKeys, showValue } from '../src/options.js';
import { avatarFetchHandler, avatarHandler, type AvatarRouteOptions } from '../src/server/index.js';
import type { AvatarRoutePngOptions } from '../src/server/avatar-response.js';

type Options = Record<string, unknown>;

/** One factory: how to call it, options it accepts, and every key of its options type with a valid value. */
interface Factory {
  readonly name: string;
  readonly make: (options: unknown) => unknown;
  /** The least options that construct (the required ones). */
  readonly base: Options;
  /** Every key of the options type, each with a value the factory accepts on top of `base`. */
  readonly all: Options;
  /** A nested options object: its key, the least value, every key of its type. */
  readonly nested?: { readonly key: string; readonly base: Options; readonly all: Options };
}

/** A table row whose `all` must name every key of `T` (the compiler checks it). */
function factory<T extends object>(name: string, make: (options: T) => unknown, base: T, all: Required<T>, nested?: Factory['nested']): Factory {
  return { name, make: make as (options: unknown) => unknown, base: base as Options, all: all as Options, ...(nested === undefined ? {} : { nested }) };
}

const storage = createStorage({ driver: memoryDriver() });
const s3Base: S3StorageOptions = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'media', accessKeyId: 'id', secretAccessKey: 'secret' };
const signedUrlsAll: Required<NonNullable<S3StorageOptions['signedUrls']>> = { expiresIn: 600 };
const pngAll: Required<AvatarRoutePngOptions> = { maxSize: 256, size: 64, placeholder: 'C', fontFiles: [], systemFonts: false, cacheEntries: 10, cacheBytes: 4096 };
const style = { fontFamily: 'Inter, sans-serif', fontWeight: 700, textColor: '#ffffff', minContrast: 4.5 } as const;

const FACTORIES: Factory[] = [
  factory<FsStorageOptions>('fsStorage()', fsStorage, { root: 'media' }, { root: 'media', baseUrl: '/files/' }),
  factory<HttpStorageOptions>('httpStorage()', httpStorage, { baseUrl: 'http://127.0.0.1:9/media/' }, {
    baseUrl: 'http://127.0.0.1:9/media/',
    headers: { Authorization: 'Bearer t0ken' },
    timeout: 500,
    maxSockets: 4,
  }),
  factory<S3StorageOptions>('s3Storage()', s3Storage, s3Base, {
    ...(s3Base as Required<S3StorageOptions>),
    sessionToken: 'token',
    forcePathStyle: true,
    publicBaseUrl: 'https://media.example.com/',
    signedUrls: signedUrlsAll,
    timeout: 500,
    maxSockets: 4,
  }, { key: 'signedUrls', base: {}, all: signedUrlsAll }),
  factory<UnstorageStorageOptions>('unstorageStorage()', (options) => unstorageStorage(storage, options), { baseUrl: '/media/' }, { baseUrl: '/media/', timeout: 500 }),
  factory<InitialsAvatarOptions>('initialsAvatar()', initialsAvatar, {}, {
    ...style,
    size: 40,
    shape: 'circle',
    palette: ['#1e3a8a'],
    length: 1,
    uppercase: false,
    placeholder: 'X',
    label: true,
    route: '/avatars/',
    format: 'png',
    maxSize: 256,
    fontFiles: [],
    systemFonts: false,
  }),
  factory<UiAvatarsOptions>('uiAvatars()', uiAvatars, {}, {
    baseUrl: 'https://avatars.example.com/api/',
    preset: 'horilla',
    size: 40,
    fontSize: 0.5,
    length: 1,
    rounded: true,
    bold: true,
    background: '#1e3a8a',
    color: '#ffffff',
    uppercase: false,
    format: 'svg',
    placeholder: 'X',
  }),
  ...(['avatarHandler()', 'avatarFetchHandler()'] as const).map((name) =>
    factory<AvatarRouteOptions>(name, name === 'avatarHandler()' ? avatarHandler : avatarFetchHandler, {}, { ...style, route: '/icons/', size: 40, shape: 'rounded', png: pngAll }, {
      key: 'png',
      base: {},
      all: pngAll,
    }),
  ),
];

/** The error `make()` throws; fails the test when it does not throw a LogoFallbackError. */
function refusal(make: () => unknown, what: string): LogoFallbackError {
  try {
    make();
  } catch (error) {
    assert.instance(error, LogoFallbackError, `${what}: ${String(error)}`);
    return error as LogoFallbackError;
  }
  throw new assert.Assertion({ message: `${what}: accepted`, generated: false, operator: 'throws', expects: 'a LogoFallbackError', actual: 'accepted' });
}

/** The keys the message lists as known, in order. */
function knownKeysIn(message: string): string[] {
  const list = /the known keys are ((?:"[^"]*"(?:, )?)+)/.exec(message)?.[1];
  assert.ok(list, `no list of known keys in: ${message}`);
  return JSON.parse(`[${list}]`) as string[];
}

/** Misspellings of a key that are not keys themselves: a letter added, one dropped, two swapped, the case changed. */
function typosOf(key: string, known: readonly string[]): string[] {
  const typos = [`${key}s`, `${key}e`, key.slice(0, -1), `${key.slice(0, 1)}${key.slice(2, 3)}${key.slice(1, 2)}${key.slice(3)}`, key.toUpperCase(), `${key.slice(0, 1).toUpperCase()}${key.slice(1)}`];
  return [...new Set(typos)].filter((typo) => typo.length > 1 && !known.includes(typo));
}

const ownerPattern = (name: string) => new RegExp(`^\\[logo-fallback\\] ${name.replace(/[()]/g, '\\$&')}: `);

test('each factory constructs with the least options and with each key of its type on top', () => {
  for (const { name, make, base, all, nested } of FACTORIES) {
    make(base);
    for (const [key, value] of Object.entries(all)) {
      try {
        make({ ...base, [key]: value });
      } catch (error) {
        assert.unreachable(`${name} refused its own key ${key}: ${String(error)}`);
      }
    }
    if (nested) for (const [key, value] of Object.entries(nested.all)) make({ ...base, [nested.key]: { ...nested.base, [key]: value } });
  }
});

test('an unknown key is refused, named with the key it is likely a typo of, and the known keys are the type\'s keys', () => {
  let tried = 0;
  for (const { name, make, base, all } of FACTORIES) {
    const known = Object.keys(all);
    for (const key of known) {
      for (const typo of typosOf(key, known)) {
        const error = refusal(() => make({ ...base, [typo]: all[key] }), `${name} with ${typo}`);
        assert.is(error.code, 'INVALID_OPTION');
        assert.match(error.message, ownerPattern(name));
        assert.ok(error.message.includes(`unknown key ${JSON.stringify(typo)} in the options`), error.message);
        assert.equal(knownKeysIn(error.message).sort(), [...known].sort(), `${name}: the message's known keys are the type's`);
        assert.ok(error.message.endsWith(`did you mean ${JSON.stringify(key)}?`), `${name}: ${typo} → ${key}? ${error.message}`);
        tried++;
      }
    }
  }
  assert.ok(tried > 200, `${tried} typos tried`);
});

test('an unknown key is named before a required option found missing (the typo of the required one)', () => {
  const cases: [Factory['make'], Options, string][] = [
    [fsStorage as Factory['make'], { rooot: 'media' }, 'rooot'],
    [fsStorage as Factory['make'], { Root: 'media', baseUrl: '/media/' }, 'Root'],
    [httpStorage as Factory['make'], { baseURL: 'https://cdn.example.com/' }, 'baseURL'],
    [httpStorage as Factory['make'], { base_url: 'https://cdn.example.com/' }, 'base_url'],
    [s3Storage as Factory['make'], { ...s3Base, bucket: undefined, bukcet: 'media' }, 'bukcet'],
    [s3Storage as Factory['make'], { ...s3Base, secretAccessKey: undefined, secretAccesKey: 'x' }, 'secretAccesKey'],
    [(options) => unstorageStorage(storage, options as UnstorageStorageOptions), { baseurl: '/media/' }, 'baseurl'],
  ];
  for (const [make, options, typo] of cases) {
    const error = refusal(() => make(options), typo);
    assert.is(error.code, 'INVALID_OPTION', error.message);
    assert.ok(error.message.includes(`unknown key "${typo}"`), error.message);
  }
});

test('nested option objects refuse unknown keys too: s3Storage signedUrls, the avatar route\'s png', () => {
  for (const { name, make, base, nested } of FACTORIES) {
    if (!nested) continue;
    const known = Object.keys(nested.all);
    for (const key of known) {
      for (const typo of typosOf(key, known)) {
        const error = refusal(() => make({ ...base, [nested.key]: { ...nested.base, [typo]: nested.all[key] } }), `${name} ${nested.key}.${typo}`);
        assert.is(error.code, 'INVALID_OPTION');
        assert.ok(error.message.includes(`unknown key ${JSON.stringify(typo)} in "${nested.key}"`), error.message);
        assert.equal(knownKeysIn(error.message).sort(), [...known].sort());
      }
    }
    assert.match(refusal(() => make({ ...base, [nested.key]: 'yes' }), `${name} ${nested.key}: 'yes'`).message, new RegExp(`"${nested.key}"`));
  }
});

test('property: any key a type does not have is refused and named, whatever it is', () => {
  const extra = fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.string({ unit: 'binary', minLength: 1 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'));
  fc.assert(
    fc.property(fc.constantFrom(...FACTORIES), extra, ({ name, make, base, all }, key) => {
      fc.pre(!Object.hasOwn(all, key));
      // Defined as an own property, as JSON.parse would make it ({ __proto__: … } in a literal sets the prototype).
      const options = Object.defineProperty({ ...base }, key, { value: 1, enumerable: true });
      const error = refusal(() => make(options), `${name} with ${JSON.stringify(key)}`);
      assert.is(error.code, 'INVALID_OPTION');
      assert.ok(error.message.includes(`unknown key ${showValue(key)} in the options`), error.message);
    }),
    { numRuns: 400 },
  );
});

test('many unknown keys: the message lists five and counts the rest', () => {
  for (const { name, make, base } of FACTORIES) {
    const junk = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`junk${i}`, i]));
    const { message } = refusal(() => make({ ...base, ...junk }), name);
    assert.ok(message.includes('unknown keys "junk0", "junk1", "junk2", "junk3", "junk4" and 9995 more in the options'), message);
    assert.ok(message.length < 1000, `${message.length} characters`);
  }
});

test('options that are not a readable object are an INVALID_OPTION, never a TypeError', () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const trapping = new Proxy({}, { ownKeys: () => { throw new Error('ownKeys trap'); } });
  for (const { name, make, base } of FACTORIES) {
    const firstKey = Object.keys(base)[0] ?? 'size';
    const getter = Object.defineProperty({ ...base }, firstKey, { enumerable: true, get: () => { throw new Error('getter'); } });
    const getTrap = new Proxy({ ...base }, { get: () => { throw new Error('get trap'); } });
    for (const [what, value, pattern] of [
      ['null', null, /must be a plain object, got null/],
      ['a string', 'media', /must be a plain object, got "media"/],
      ['a number', 5, /must be a plain object, got 5/],
      ['an array', ['media'], /must be a plain object, got an array/],
      ['a revoked Proxy', revoked.proxy, /must be a plain object; reading its keys failed/],
      ['a Proxy whose ownKeys trap throws', trapping, /reading its keys failed: ownKeys trap/],
      ['a throwing getter', getter, new RegExp(`reading "${firstKey}" of the options failed: getter`)],
      ['a Proxy whose get trap throws', getTrap, /of the options failed: get trap/],
    ] as const) {
      const error = refusal(() => make(value), `${name} with ${what}`);
      assert.is(error.code, 'INVALID_OPTION', `${name} with ${what}: ${error.message}`);
      assert.match(error.message, pattern, `${name} with ${what}`);
    }
  }
});

test('boolean options take true or false, not a string that reads as either', () => {
  const cases: [string, () => unknown, string][] = [
    ['s3Storage()', () => s3Storage({ ...s3Base, forcePathStyle: 'false' } as never), 'forcePathStyle'],
    ['initialsAvatar()', () => initialsAvatar({ label: 'true' } as never), 'label'],
    ['initialsAvatar()', () => initialsAvatar({ uppercase: 0 } as never), 'uppercase'],
    ['initialsAvatar()', () => initialsAvatar({ format: 'png', systemFonts: 'no' } as never), 'systemFonts'],
    ['uiAvatars()', () => uiAvatars({ bold: 'true' } as never), 'bold'],
    ['uiAvatars()', () => uiAvatars({ rounded: 1 } as never), 'rounded'],
    ['uiAvatars()', () => uiAvatars({ uppercase: 'false' } as never), 'uppercase'],
    ['avatarHandler()', () => avatarHandler({ png: { systemFonts: 'false' } } as never), 'png.systemFonts'],
  ];
  for (const [name, make, option] of cases) {
    const error = refusal(make, `${name} ${option}`);
    assert.ok(error.message.includes(`"${option}" must be true or false`), error.message);
  }
  assert.match(refusal(() => initialsAvatar({ fontFiles: 'a.ttf' } as never), 'fontFiles').message, /"fontFiles" must be an array of at most 1000 strings, got "a.ttf"/);
  assert.match(refusal(() => avatarHandler({ png: { fontFiles: [1] } } as never), 'png.fontFiles').message, /"png.fontFiles" must be an array/);
});

test('s3Storage: signedUrls beside publicBaseUrl is refused (nothing would be signed)', () => {
  const error = refusal(() => s3Storage({ ...s3Base, publicBaseUrl: 'https://media.example.com/', signedUrls: { expiresIn: 60 } }), 'both');
  assert.match(error.message, /"signedUrls" and "publicBaseUrl" cannot go together/);
});

test('type level: optionKeys() refuses a list that misses a key of the type or names one it does not have', () => {
  interface Two {
    a?: number;
    b: string;
  }
  const both = optionKeys<Two>()(['a', 'b']);
  // @ts-expect-error "b" is missing: a key added to the type but not to the list does not compile.
  optionKeys<Two>()(['a']);
  // @ts-expect-error "c" is not a key of Two.
  optionKeys<Two>()(['a', 'b', 'c']);
  assert.equal(both, ['a', 'b']);
});

test.run();
