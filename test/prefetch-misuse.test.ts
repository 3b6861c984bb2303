/**
 * prefetch() misuse (issue 8 §3, §8): it never throws or rejects, and a call it cannot use is
 * reported, never silently ignored — an unknown option key or `{ prefix }` key and a string
 * argument (a string is iterable) as `INVALID_OPTION`, a list whose reading throws as
 * `INVALID_RECORD` (what was read before the throw is still checked).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage, type LogoFallbackError, type Storage } from '../src/index.js';
import { tempMedia } from './helpers/media.js';

const media = tempMedia({ 'a.png': 'PNG', 'b.png': 'PNG' });

function setup(): { logos: ReturnType<typeof createLogoResolver>; errors: LogoFallbackError[]; checked: string[] } {
  const errors: LogoFallbackError[] = [];
  const checked: string[] = [];
  const fs = fsStorage({ root: media.root, baseUrl: '/media/' });
  // No existsSync: every key prefetch() asks about reaches exists().
  const storage: Storage = { name: 'counted', baseUrl: '/media/', exists: (key, signal) => (checked.push(key), fs.exists(key, signal)), url: fs.url, list: fs.list } as Storage;
  return { logos: createLogoResolver({ storage, onError: (error) => errors.push(error) }), errors, checked };
}

const codes = (errors: readonly LogoFallbackError[]): string[] => errors.map((error) => error.code);

test('unknown option keys, and non-boolean files: INVALID_OPTION naming the key, nothing checked', async () => {
  for (const [options, named] of [
    [{ fiels: true }, /"fiels".*did you mean "files"/],
    [{ files: true, concurency: 4 }, /"concurency".*did you mean "concurrency"/],
    [{ prefix: 'a' }, /"prefix".*known keys are "files", "concurrency"/],
    [{ files: 'yes' }, /"files" must be true or false, got "yes"/],
    [{ concurrency: 0 }, /concurrency/],
    [[], /plain object, got an array/],
    [42, /plain object, got 42/],
  ] as const) {
    const { logos, errors, checked } = setup();
    assert.is(await logos.prefetch(['a.png'], options as never), undefined);
    assert.equal(codes(errors), ['INVALID_OPTION'], JSON.stringify(options));
    assert.match(errors[0]?.message ?? '', named);
    assert.equal(checked, [], 'nothing is checked with options it cannot use');
  }
});

test('{ prefix } with an unknown key, or something that is neither a list nor { prefix }: INVALID_OPTION', async () => {
  for (const [items, named] of [
    [{ prefx: 'x' }, /"prefx".*did you mean "prefix"/],
    [{ prefix: '', recursive: true }, /"recursive"/],
    [{ company: 'Acme', icon: 'a.png' }, /"company", "icon"/], // a record, not a list of them
    [42, /got 42/],
    [true, /got true/],
  ] as const) {
    const { logos, errors, checked } = setup();
    assert.is(await logos.prefetch(items as never), undefined);
    assert.equal(codes(errors), ['INVALID_OPTION'], JSON.stringify(items));
    assert.match(errors[0]?.message ?? '', named);
    assert.equal(checked, []);
  }
});

test('a string instead of a list: INVALID_OPTION, its characters never checked as keys', async () => {
  for (const [items, options] of [['a.png', { files: true }], ['a.png', undefined], ['', undefined], ['x', { files: true }]] as const) {
    const { logos, errors, checked } = setup();
    assert.is(await logos.prefetch(items as never, options), undefined);
    assert.equal(codes(errors), ['INVALID_OPTION'], items);
    assert.match(errors[0]?.message ?? '', /got the string .*pass a list/);
    assert.equal(checked, []);
  }
  // As a list, the same key is checked.
  const { logos, errors, checked } = setup();
  await logos.prefetch(['a.png'], { files: true });
  assert.equal(checked, ['a.png']);
  assert.equal(errors, []);
});

test('a list whose reading throws: INVALID_RECORD (not STORAGE_FAILED), and what came before the throw is checked', async () => {
  function* throwing(): Generator<string> {
    yield 'a.png';
    throw new Error('database cursor closed');
  }
  const proxyList = new Proxy(['a.png'], { get: () => { throw new Error('get trap'); } });
  const { proxy: revokedList, revoke } = Proxy.revocable(['a.png'], {});
  revoke();
  const throwingIterator = { [Symbol.iterator]: () => { throw new Error('no iterator'); } };
  const getterList = Object.defineProperty(['b.png', 'a.png'], 1, { get: () => { throw new Error('element getter'); } });
  for (const [items, before] of [
    [throwing(), ['a.png']],
    [proxyList, []],
    [revokedList, []],
    [throwingIterator, []],
    [getterList, ['b.png']],
  ] as const) {
    const { logos, errors, checked } = setup();
    assert.is(await logos.prefetch(items as Iterable<unknown>, { files: true }), undefined);
    assert.equal(codes(errors), ['INVALID_RECORD'], errors.map((e) => e.message).join(' | '));
    assert.match(errors[0]?.message ?? '', /prefetch\(\): reading the list threw/);
    assert.equal(checked, [...before]);
  }
});

test('a { prefix } argument whose reading throws (a getter, a Proxy whose ownKeys or get trap throws): INVALID_RECORD, no listing', async () => {
  const throwingGetter = { get prefix(): string { throw new Error('getter'); } };
  const ownKeysTrap = new Proxy({ prefix: '' }, { ownKeys: () => { throw new Error('ownKeys trap'); } });
  const getTrap = new Proxy({ prefix: '' }, { get: (target, key) => { if (key === 'prefix') throw new Error('get trap'); return Reflect.get(target, key); } });
  for (const items of [throwingGetter, ownKeysTrap, getTrap]) {
    const { logos, errors, checked } = setup();
    assert.is(await logos.prefetch(items as never), undefined);
    assert.equal(codes(errors), ['INVALID_RECORD'], errors.map((e) => e.message).join(' | '));
    assert.equal(checked, []);
  }
});

test('ordinary calls make no report', async () => {
  const { logos, errors, checked } = setup();
  await logos.prefetch([{ company: 'Acme', icon: 'a.png' }], {});
  await logos.prefetch(new Set(['b.png']), { files: true, concurrency: 2 });
  await logos.prefetch(null);
  await logos.prefetch(undefined, undefined);
  await logos.prefetch([], null as never);
  assert.equal(errors, []);
  assert.equal(checked.sort(), ['a.png', 'b.png']);
});

test.after(() => media.cleanup());

test.run();
