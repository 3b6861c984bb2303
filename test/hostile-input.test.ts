/**
 * "Never throws" without exceptions (issue 8 §3): records, file values, names and call options that
 * fight back — Proxies whose traps throw, revoked Proxies, throwing getters — through every method
 * of the resolver. Right: the avatar (or `''` for a name) and one `onError` report per call; never a
 * throw, never a rejection.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createLogoResolver, fsStorage, uiAvatars, type LogoFallbackError, type LogoResolver, type LogoResolverOptions, type Storage } from '../src/index.js';
import { tempMedia } from './helpers/media.js';

const media = tempMedia({ 'base/company/icon/acme.png': 'png' });
const avatar = uiAvatars({ background: '#1e3a8a' });
const PRESENT = '/media/base/company/icon/acme.png';
const AC = 'https://ui-avatars.com/api/?name=AC&background=1e3a8a&color=ffffff';
const C = 'https://ui-avatars.com/api/?name=C&background=1e3a8a&color=ffffff';
const ATTRIBUTE_SAFE = /^[^"'<>`\\\s]+$/;

const escaped: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  escaped.push(reason);
};

function setup(options: LogoResolverOptions = {}): { logos: LogoResolver; errors: LogoFallbackError[] } {
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }), avatar, onError: (error) => errors.push(error), ...options });
  return { logos, errors };
}

const TRAPS = ['get', 'has', 'getPrototypeOf', 'ownKeys', 'getOwnPropertyDescriptor', 'defineProperty', 'set', 'deleteProperty', 'isExtensible', 'preventExtensions', 'setPrototypeOf', 'apply', 'construct'] as const;
type Trap = (typeof TRAPS)[number];

/** A Proxy of `target` whose `traps` throw `thrown()` from their `after`-th call on; `fired` counts the throws. */
function hostile(target: object, traps: readonly Trap[], after = 0, thrown: () => unknown = () => new Error('trap')): { proxy: object; fired: () => number } {
  let calls = 0;
  let fired = 0;
  const handler: ProxyHandler<object> = {};
  for (const trap of traps) {
    (handler as Record<string, unknown>)[trap] = (...args: unknown[]) => {
      if (calls++ >= after) {
        fired++;
        throw thrown();
      }
      return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return { proxy: new Proxy(target, handler), fired: () => fired };
}

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({ company: 'Acme Corp', icon: 'base/company/icon/acme.png' }, {});
  revoke();
  return proxy;
}

const record = () => ({ company: 'Acme Corp', icon: 'base/company/icon/acme.png' });

test.before(() => {
  process.on('unhandledRejection', onUnhandled);
});

test('a Proxy record whose getPrototypeOf trap throws, and a revoked Proxy: every method answers, one report per call', async () => {
  const makers: Array<[string, () => object]> = [
    ['getPrototypeOf throws', () => hostile(record(), ['getPrototypeOf']).proxy],
    ['every trap throws', () => hostile(record(), TRAPS).proxy],
    ['revoked', revoked],
    ['throws a Proxy that throws', () => hostile(record(), ['getPrototypeOf', 'get'], 0, () => hostile({}, TRAPS).proxy).proxy],
  ];
  for (const [label, make] of makers) {
    const calls: Array<[string, (logos: LogoResolver) => unknown, unknown]> = [
      ['logo', (logos) => logos.logo(make()), C],
      ['logo with size', (logos) => logos.logo(make(), { size: 40 }), setup().logos.avatar(undefined, { size: 40 })],
      ['logoAsync', (logos) => logos.logoAsync(make()), C],
      ['settleLogo', (logos) => logos.settleLogo(make()), C],
      ['fileUrl', (logos) => logos.fileUrl(make(), 'Acme Corp'), AC],
      ['fileUrlAsync', (logos) => logos.fileUrlAsync(make(), 'Acme Corp'), AC],
      ['name', (logos) => logos.name(make()), ''],
      ['name with fallback', (logos) => logos.name(make(), 'Nobody Inc'), 'Nobody Inc'],
      ['invalidate', (logos) => logos.invalidate(make()), undefined],
      ['reportError', (logos) => logos.reportError(make()), undefined],
      ['prefetch', (logos) => logos.prefetch([make(), make()]), undefined],
      ['prefetch of files', (logos) => logos.prefetch([make()], { files: true }), undefined],
      ['lookup', (logos) => logos.lookup(make()), { state: 'missing' }],
    ];
    for (const [method, call, expected] of calls) {
      const { logos, errors } = setup();
      let result: unknown;
      try {
        result = await call(logos);
      } catch (error) {
        assert.unreachable(`${label}: ${method} threw ${String(error)}`);
      }
      assert.equal(result, expected, `${label}: ${method}`);
      assert.is(errors.length, 1, `${label}: ${method} made one report: ${errors.map((e) => e.message).join(' | ')}`);
      assert.ok(['INVALID_RECORD', 'STORAGE_FAILED'].includes(errors[0]?.code ?? ''), errors[0]?.code);
      assert.match(errors[0]?.message ?? '', /^\[logo-fallback\] /);
    }
  }
});

test('prefetch() of a hostile list: one report when reading it throws (INVALID_RECORD), one when it is not a list (INVALID_OPTION), none for an empty one', async () => {
  for (const [items, code] of [
    [revoked(), 'INVALID_RECORD'],
    [hostile([record()], ['get']).proxy, 'INVALID_RECORD'],
    [hostile(record(), ['getPrototypeOf']).proxy, 'INVALID_OPTION'],
    [{ [Symbol.iterator]: () => ({ next: () => { throw new Error('iterator'); } }) }, 'INVALID_RECORD'],
    [{}, undefined],
  ] as const) {
    const { logos, errors } = setup();
    assert.is(await logos.prefetch(items as Iterable<unknown>), undefined);
    assert.equal(errors.map((e) => e.code), code === undefined ? [] : [code], errors.map((e) => e.message).join(' | '));
  }
});

test('call options whose size getter throws, or that are hostile themselves: the avatar at its default size, one report', async () => {
  const throwingSize = {
    get size(): number {
      throw new Error('size getter');
    },
  };
  for (const options of [throwingSize, hostile({ size: 40 }, ['get']).proxy, (() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; })()]) {
    const { logos, errors } = setup();
    assert.is(logos.logo({ company: 'Acme Corp', icon: 'gone.png' }, options), AC);
    assert.is(await logos.logoAsync({ company: 'Acme Corp', icon: 'gone.png' }, options), AC);
    assert.is(logos.fileUrl('base/company/icon/acme.png', 'Acme Corp', options), PRESENT, 'a size does not matter to a logo');
    assert.is(logos.avatar('Acme Corp', options), AC);
    assert.is(errors.length, 1, 'the same problem, reported once');
    assert.is(errors[0]?.code, 'INVALID_RECORD');
    assert.match(errors[0]?.message ?? '', /options\.size/);
  }
});

test("a storage whose url() throws: the avatar and a report, sync and async — never a rejection", async () => {
  const fs = fsStorage({ root: media.root });
  const throwing: Storage = { name: 'presigning', exists: fs.exists, url: () => { throw new Error('credentials expired'); } };
  const unsafe: Storage = { name: 'presigning', exists: fs.exists, url: (key) => `https://bucket.example/${key}?sig="x"` };
  const notAString: Storage = { name: 'presigning', exists: fs.exists, url: () => 42 as unknown as string };
  const withBase: Storage = { ...fs, url: () => { throw new Error('no base'); } };
  for (const storage of [throwing, unsafe, notAString, withBase]) {
    const { logos, errors } = setup({ storage });
    const acme = { company: 'Acme Corp', icon: 'base/company/icon/acme.png' };
    assert.is(await logos.logoAsync(acme), AC);
    assert.is(await logos.fileUrlAsync('base/company/icon/acme.png', 'Acme Corp'), AC);
    assert.is(await logos.settleLogo(acme), AC);
    assert.is(logos.logo(acme), AC);
    assert.is(logos.fileUrl('base/company/icon/acme.png', 'Acme Corp'), AC);
    // A URL refused as unsafe is `unsafe`, as its INVALID_KEY report says; a url() that threw, a fault.
    const refused = storage === unsafe || storage === notAString;
    assert.equal(await logos.lookup('base/company/icon/acme.png'), { state: refused ? 'unsafe' : 'fault', key: 'base/company/icon/acme.png' });
    assert.is(errors.length, 1, `one report: ${errors.map((e) => e.message).join(' | ')}`);
    assert.is(errors[0]?.code, refused ? 'INVALID_KEY' : 'STORAGE_FAILED');
    assert.match(errors[0]?.message ?? '', storage === unsafe ? /built an unsafe URL/ : storage === notAString ? /unsafe URL.*42/ : /url\(\) threw.*no base|credentials expired/);
  }
});

const names = fc.oneof(fc.constant('Acme Corp'), fc.constant(undefined));
const sizes = fc.oneof(fc.constant(undefined), fc.constant(64));

/** A generated value, printed by a label when fast-check reports a counterexample (a revoked Proxy cannot be printed). */
interface Hostile {
  readonly value: unknown;
  /** How many reads threw so far: compare before and after a call. */
  readonly fired: () => number;
}

function labelled(value: unknown, fired: () => number, label: string): Hostile {
  return { value, fired, [fc.toStringMethod]: () => label } as Hostile;
}

function safeLabel(value: unknown): string {
  try {
    return fc.stringify(value);
  } catch {
    return 'an unprintable value';
  }
}

/** Anything a template might hand over, hostile or not. */
function hostileValue(inner: fc.Arbitrary<unknown>): fc.Arbitrary<Hostile> {
  const plain = inner.map((value) => labelled(value, () => 0, safeLabel(value)));
  const proxy = fc
    .tuple(fc.subarray([...TRAPS], { minLength: 1 }), fc.nat({ max: 4 }), fc.constantFrom('error', 'string', 'proxy', 'undefined'), inner)
    .map(([traps, after, kind, target]) => {
      const thrown = (): unknown => (kind === 'error' ? new Error('boom') : kind === 'string' ? 'boom' : kind === 'proxy' ? hostile({}, TRAPS).proxy : undefined);
      const base = typeof target === 'object' && target !== null ? target : { value: target };
      const { proxy: value, fired } = hostile(base, traps, after, thrown);
      // A Map's own methods refuse a Proxy as `this`: every read of one throws, trap or not.
      let reads = 0;
      const count = base instanceof Map ? () => ++reads : fired;
      return labelled(value, count, `Proxy(${safeLabel(target)}) throwing ${kind} from ${traps.join('/')} after ${after} calls`);
    });
  const getters = fc.tuple(fc.subarray(['company', 'name', 'icon', 'logo', 'url', 'size']), inner).map(([fields, target]) => {
    let fired = 0;
    const object: Record<string, unknown> = typeof target === 'object' && target !== null ? { ...target } : {};
    for (const field of fields) {
      Object.defineProperty(object, field, {
        get() {
          fired++;
          throw new Error(`${field} getter`);
        },
        enumerable: true,
      });
    }
    return labelled(object, () => fired, `${safeLabel(target)} with throwing getters ${fields.join(', ')}`);
  });
  // A revoked Proxy throws on every read.
  const gone = fc.constant(null).map(() => {
    let reads = 0;
    return labelled(revoked(), () => ++reads, 'a revoked Proxy');
  });
  return fc.oneof(plain, proxy, getters, gone);
}

const fileValue = fc.constantFrom<unknown>('base/company/icon/acme.png', PRESENT, 'gone.png', '../x', 'javascript:alert(1)', new URL('https://cdn.example/a.png'), { name: 'base/company/icon/acme.png' }, null, 42);
const recordValue = fc.oneof(
  fc.record({ company: names, icon: fileValue }, { requiredKeys: [] }),
  fc.constant(new Map<string, unknown>([['company', 'Acme Corp'], ['icon', 'base/company/icon/acme.png']])),
);

test('property: hostile records, file values, names and call options — no throw, no rejection, attribute-safe, exactly the logo or an avatar', async () => {
  const reference = setup().logos;
  const allowed = new Set<string>([PRESENT, 'https://cdn.example/a.png']);
  for (const name of ['Acme Corp', undefined]) for (const size of [undefined, 64]) allowed.add(reference.avatar(name, size === undefined ? {} : { size }));
  await fc.assert(
    fc.asyncProperty(hostileValue(recordValue), hostileValue(fileValue), hostileValue(names), hostileValue(fc.record({ size: sizes })), async (rec, file, name, options) => {
      const { logos, errors } = setup();
      const outputs = [
        logos.logo(rec.value, options.value as never),
        await logos.logoAsync(rec.value, options.value as never),
        logos.fileUrl(file.value, name.value, options.value as never),
        await logos.fileUrlAsync(file.value, name.value, options.value as never),
        await logos.settleFileUrl(file.value, name.value, options.value as never),
        logos.avatar(name.value, options.value as never),
      ];
      for (const output of outputs) {
        assert.ok(ATTRIBUTE_SAFE.test(output), output);
        assert.ok(allowed.has(output), `not the logo nor an avatar: ${output}`);
      }
      assert.ok(['', 'Acme Corp'].includes(logos.name(rec.value)));
      logos.invalidate(file.value);
      logos.reportError(rec.value);
      await logos.prefetch([rec.value, file.value]);
      await logos.prefetch([file.value], { files: true });
      const lookup = await logos.lookup(file.value);
      assert.ok(['present', 'missing', 'unsafe', 'external'].includes(lookup.state), lookup.state);
      // Every report is a LogoFallbackError with a message; none escaped as a throw.
      assert.ok(errors.every((error) => error.message.startsWith('[logo-fallback] ')));
    }),
    { numRuns: 300 },
  );
});

test('property: one report per call, and only when something threw', () => {
  fc.assert(
    fc.property(hostileValue(recordValue), (rec) => {
      const { logos, errors } = setup();
      const before = rec.fired();
      const output = logos.logo(rec.value);
      const threw = rec.fired() > before;
      assert.ok(ATTRIBUTE_SAFE.test(output));
      const readErrors = errors.filter((error) => error.code === 'INVALID_RECORD');
      assert.is(readErrors.length, threw ? 1 : 0, errors.map((e) => e.message).join(' | '));
    }),
    { numRuns: 500 },
  );
});

test.after(() => {
  process.off('unhandledRejection', onUnhandled);
  media.cleanup();
  assert.equal(escaped, [], 'an unhandled rejection escaped');
});

test.run();
