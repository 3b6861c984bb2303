/**
 * The warm path (src/answers.ts, issue 8 §2 "an honest floor"): a remembered answer must be exactly
 * what the full path would answer at that moment — after uploads, deletes, invalidations, clock
 * ticks across every window, evictions, name and size changes, in any order of asking — and each
 * adapter on one resolver keeps its own printed form of it.
 *
 * The oracle: a `Map` record (and a `Map` file value) always takes the full path, through the same
 * resolver and the same existence cache; a plain object takes the warm path when it can.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mock } from 'node:test';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { logoFallbackLocals } from '../adapters/locals.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, initialsAvatar, type LogoFallbackError, type LogoResolver } from '../src/index.js';
import { recording, tempMedia } from './helpers/media.js';

const media = tempMedia();
const KEYS = ['a.png', 'b.png', 'c.png', 'x/y.png'] as const;
/** References: keys, another spelling of one (the same key), an external URL, a refused one. */
const REFERENCES = [...KEYS, '/media/a.png', 'https://cdn.example/a.png?w=64&h=64', '../x.png'] as const;
const NAMES = ['Acme Corp', 'Globex', '', 42, undefined] as const;
const OPTIONS = [undefined, { size: 32 }, { size: 32, format: 'png' }, { size: 3000 }] as const;
/** Around the default windows: missTtl 5,000 ms, ttl 30,000 ms, hardTimeout 10,000 ms. */
const TICKS = [1, 999, 4_999, 5_000, 10_000, 29_999, 30_000] as const;

/** Lets background checks (real disk I/O) finish; setImmediate is not mocked. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 8; i++) await new Promise((resolve) => setImmediate(resolve));
};

const put = (key: string): void => {
  mkdirSync(path.dirname(path.join(media.root, key)), { recursive: true });
  writeFileSync(path.join(media.root, key), 'png');
};
const remove = (key: string): void => rmSync(path.join(media.root, key), { force: true });

type Step =
  | { op: 'render'; order: number[]; fullFirst: boolean; options: number }
  | { op: 'file'; reference: number; name: number; options: number; fullFirst: boolean }
  | { op: 'put' | 'remove'; key: number; invalidate: 'key' | 'all' | 'none' }
  | { op: 'rename' | 'repoint'; record: number; to: number }
  | { op: 'tick'; ms: number }
  | { op: 'flush' };

const RECORDS = 5;
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('render' as const), order: fc.shuffledSubarray([...Array(RECORDS).keys()], { minLength: 1 }), fullFirst: fc.boolean(), options: fc.nat(OPTIONS.length - 1) }) },
  fc.record({ op: fc.constant('file' as const), reference: fc.nat(REFERENCES.length - 1), name: fc.nat(NAMES.length - 1), options: fc.nat(OPTIONS.length - 1), fullFirst: fc.boolean() }),
  fc.record({ op: fc.constantFrom('put' as const, 'remove' as const), key: fc.nat(KEYS.length - 1), invalidate: fc.constantFrom('key' as const, 'all' as const, 'none' as const) }),
  fc.record({ op: fc.constant('rename' as const), record: fc.nat(RECORDS - 1), to: fc.nat(NAMES.length - 1) }),
  fc.record({ op: fc.constant('repoint' as const), record: fc.nat(RECORDS - 1), to: fc.nat(REFERENCES.length - 1) }),
  fc.record({ op: fc.constant('tick' as const), ms: fc.constantFrom(...TICKS) }),
  fc.constant({ op: 'flush' as const }),
);

/** The same call twice — warm-path value and full-path value — in the order the step says. */
function both<T>(fullFirst: boolean, warm: () => T, full: () => T): [T, T] {
  if (fullFirst) {
    const f = full();
    return [warm(), f];
  }
  const w = warm();
  return [w, full()];
}

test('property: a warm answer is always the full path\'s answer, whatever happened in between', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: 2, max: 6 }), async (steps, max) => {
      for (const key of KEYS) remove(key);
      put('a.png');
      mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_700_000_000_000 });
      try {
        // Avatars of the route: their URLs differ by size and by format.
        const avatar = initialsAvatar({ route: '/avatars/' });
        const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }), avatar, cache: { max }, onError: () => undefined });
        const records = Array.from({ length: RECORDS }, (_, i) => ({ company: NAMES[i % NAMES.length] as unknown, icon: REFERENCES[i % REFERENCES.length] as string }));
        for (const [at, s] of steps.entries()) {
          const where = `step ${at} (${JSON.stringify(s)})`;
          if (s.op === 'render') {
            const options = OPTIONS[s.options];
            for (const i of s.order) {
              const record = records[i] as { company: unknown; icon: string };
              const [warm, full] = both(s.fullFirst, () => logos.logo(record, options), () => logos.logo(new Map(Object.entries(record)), options));
              assert.is(warm, full, `${where}: record ${i} ${JSON.stringify(record)}`);
            }
          } else if (s.op === 'file') {
            const reference = REFERENCES[s.reference] as string;
            const [name, options] = [NAMES[s.name], OPTIONS[s.options]];
            const [warm, full] = both(s.fullFirst, () => logos.fileUrl(reference, name, options), () => logos.fileUrl(new Map([['name', reference]]), name, options));
            assert.is(warm, full, `${where}: ${reference}`);
            assert.is(logos.fileUrl({ name: reference }, name, options), warm, `${where}: a file field`);
          } else if (s.op === 'put' || s.op === 'remove') {
            const key = KEYS[s.key] as string;
            if (s.op === 'put') put(key);
            else remove(key);
            if (s.invalidate === 'key') logos.invalidate(key);
            else if (s.invalidate === 'all') logos.invalidate();
          } else if (s.op === 'rename') {
            (records[s.record] as { company: unknown }).company = NAMES[s.to];
          } else if (s.op === 'repoint') {
            (records[s.record] as { icon: string }).icon = REFERENCES[s.to] as string;
          } else if (s.op === 'tick') {
            mock.timers.tick(s.ms);
          } else {
            await flush();
          }
        }
        await flush(); // no background check outlives the run (its timers are the mocked ones)
      } finally {
        mock.timers.reset();
      }
    }),
    { numRuns: 150 },
  );
});

test('warm answers follow the disk after invalidate(), at once, in every way a reference is written', () => {
  put('a.png');
  const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }), onError: () => undefined });
  const record = { company: 'Acme Corp', icon: 'a.png' };
  const other = { company: 'Acme Corp', icon: '/media/a.png' };
  for (let i = 0; i < 3; i++) assert.is(logos.logo(record), '/media/a.png');
  assert.is(logos.logo(other), '/media/a.png');
  const avatar = logos.avatar('Acme Corp');
  remove('a.png');
  assert.is(logos.logo(record), '/media/a.png', 'remembered within ttl, as the cache is');
  logos.invalidate('/media/a.png'); // the other spelling of the same key
  assert.is(logos.logo(record), avatar);
  assert.is(logos.logo(other), avatar);
  assert.is(logos.logo({ company: 'Globex', icon: 'a.png' }), logos.avatar('Globex'), 'the avatar follows the name');
  put('a.png');
  logos.invalidate();
  assert.is(logos.logo(record), '/media/a.png');
});

test('a storage without a fixed baseUrl (presigned URLs) is asked for the URL on every call, never remembered', () => {
  put('a.png');
  const fs = fsStorage({ root: media.root });
  let signed = 0;
  // Like S3 without publicBaseUrl: each URL carries a new signature, and no baseUrl is fixed.
  const storage = { name: 'presigning', exists: fs.exists.bind(fs), existsSync: fs.existsSync?.bind(fs), url: (key: string) => `/signed/${key}?sig=${++signed}` };
  const logos = createLogoResolver({ storage });
  const record = { company: 'Acme Corp', icon: 'a.png' };
  const urls = [logos.logo(record), logos.logo(record), logos.fileUrl('a.png'), logos.logo(record)];
  assert.equal(urls, ['/signed/a.png?sig=1', '/signed/a.png?sig=2', '/signed/a.png?sig=3', '/signed/a.png?sig=4']);
  const hb = registerHandlebars(Handlebars.create(), logos);
  assert.is(hb.compile('{{get_company_logo this}}')(record), '/signed/a.png?sig=5');
  assert.is(hb.compile('{{get_company_logo this}}')(record), '/signed/a.png?sig=6');
  const gone = { company: 'Acme Corp', icon: 'gone.png' };
  assert.is(logos.logo(gone), logos.avatar('Acme Corp'));
  assert.is(logos.logo(gone), logos.avatar('Acme Corp'));
});

test('the recency of warm answers is kept: eviction spares the keys renders use', () => {
  const storage = recording(fsStorage({ root: media.root, baseUrl: '/media/' }));
  const logos = createLogoResolver({ storage, cache: { max: 3 } });
  const list = ['k/1.png', 'k/2.png', 'k/3.png'];
  for (const file of list) logos.fileUrl(file);
  for (let round = 0; round < 3; round++) logos.fileUrl('k/1.png'); // warm: no lookup in the cache
  assert.is(storage.calls.length, 3);
  logos.fileUrl('k/4.png'); // evicts k/2.png, the least recently used
  logos.fileUrl('k/1.png');
  assert.is(storage.calls.length, 4, 'k/1.png was kept');
  logos.fileUrl('k/2.png');
  assert.equal(storage.calls.slice(4), ['k/2.png'], 'k/2.png was the one evicted');
});

/** A resolver whose warm path holds "missing" for `file`, its clock read; then the file is uploaded, no invalidate(). */
function warmMissing(file: string): { answer: () => string; avatar: string } {
  remove(file);
  const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }) });
  const avatar = logos.avatar('Acme Corp');
  assert.is(logos.fileUrl(file, 'Acme Corp'), avatar);
  assert.is(logos.fileUrl(file, 'Acme Corp'), avatar, 'warm: the clock was read');
  put(file);
  return { answer: () => logos.fileUrl(file, 'Acme Corp'), avatar };
}

test('a clock reading is never reused across clocks: replacing Date (mocking it, or restoring it) is seen at once', () => {
  const { answer } = warmMissing('b.png');
  // No turn of the event loop in between: only the new Date says that missTtl has passed.
  mock.timers.enable({ apis: ['Date'], now: Date.now() + 5_000 });
  try {
    assert.is(answer(), '/media/b.png', 'missTtl is over on the new clock');
  } finally {
    mock.timers.reset();
    remove('b.png');
  }
});

test('a mocked Date alone: once the event loop turns, a warm answer is judged by the new time', async () => {
  mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
  try {
    const { answer, avatar } = warmMissing('c.png');
    mock.timers.tick(4_999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.is(answer(), avatar, 'within missTtl');
    mock.timers.tick(1); // no timer fires: only Date is mocked
    await new Promise((resolve) => setImmediate(resolve));
    assert.is(answer(), '/media/c.png', 'missTtl is over');
  } finally {
    mock.timers.reset();
    remove('c.png');
  }
});

test('a synchronous run sees one moment; the next run reads the clock again', async () => {
  // setTime() moves the mocked clock without firing the (mocked) timers: only the end of the run can tell.
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 1_700_000_000_000 });
  try {
    const { answer, avatar } = warmMissing('c.png');
    mock.timers.setTime(1_700_000_000_000 + 5_000);
    assert.is(answer(), avatar, 'the same synchronous run: the moment it first asked');
    await new Promise((resolve) => setImmediate(resolve));
    assert.is(answer(), '/media/c.png', 'a new run: missTtl is over');
  } finally {
    mock.timers.reset();
    remove('c.png');
  }
});

/** One resolver, five adapters: each prints its own escaped bytes of the same warm answers. */
function engines(logos: LogoResolver) {
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos);
  const hb = registerHandlebars(Handlebars.create(), logos);
  const liquid = registerLiquid(new Liquid(), logos);
  const locals = logoFallbackLocals(logos);
  // A fourth adapter keeping printed values: past the fields a Printable has for them.
  const hb2 = registerHandlebars(Handlebars.create(), logos);
  const hbs2 = hb2.compile('{{#each list}}<img src="{{get_company_logo this}}">{{/each}}');
  const njk = nunjucks.compile('{% for c in list %}<img src="{{ c | get_company_logo }}">{% endfor %}', env);
  const hbs = hb.compile('{{#each list}}<img src="{{get_company_logo this}}">{{/each}}');
  const liq = liquid.parse('{% for c in list %}<img src="{{ c | get_company_logo }}">{% endfor %}');
  return {
    Nunjucks: (list: object[]) => njk.render({ list }),
    Handlebars: (list: object[]) => hbs({ list }),
    LiquidJS: (list: object[]) => liquid.renderSync(liq, { list }) as string,
    'another Handlebars': (list: object[]) => hbs2({ list }),
    // EJS and the others escape the helper's text themselves: the text as it is.
    locals: (list: object[]) => list.map((c) => `<img src="${locals.get_company_logo(c).replaceAll('&', '&amp;')}">`).join(''),
  };
}

test('adapters sharing one resolver each keep their own printed form of a warm answer', () => {
  put('a.png');
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }), onError: (error) => errors.push(error) });
  const list = [
    { company: 'Acme Corp', icon: 'a.png' },
    { company: 'AT&T Inc', icon: 'gone.png' },
    { company: 'Globex', icon: 'https://cdn.example/a.png?w=64&h=64' },
  ];
  const expected = list.map((c) => `<img src="${logos.logo(c).replaceAll('&', '&amp;')}">`).join('');
  assert.match(expected, /\?w=64&amp;h=64/);
  const render = engines(logos);
  for (let round = 0; round < 3; round++) {
    for (const [engine, page] of Object.entries(render)) assert.is(page(list), expected, `${engine}, render ${round + 1}`);
  }
  assert.equal(errors, []);
});

test('an adapter honours a wrapped resolver: the warm path is not copied by a spread', () => {
  put('a.png');
  const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }) });
  const record = { company: 'Acme Corp', icon: 'a.png' };
  assert.is(logos.logo(record), '/media/a.png');
  assert.is(logos.logo(record), '/media/a.png');
  const wrapped: LogoResolver = { ...logos, logo: () => '/wrapped.png' };
  const hb = registerHandlebars(Handlebars.create(), wrapped);
  assert.is(hb.compile('{{get_company_logo this}}')(record), '/wrapped.png');
  const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), wrapped);
  assert.is(env.renderString('{{ c | get_company_logo }}', { c: record }), '/wrapped.png');
});

test('hostile records after warm answers: the full path reads them, one report per call, never a throw', () => {
  put('a.png');
  const errors: LogoFallbackError[] = [];
  const logos = createLogoResolver({ storage: fsStorage({ root: media.root, baseUrl: '/media/' }), onError: (error) => errors.push(error) });
  const placeholder = logos.avatar(undefined);
  const acme = logos.avatar('Acme Corp');
  for (let i = 0; i < 2; i++) assert.is(logos.logo({ company: 'Acme Corp', icon: 'a.png' }), '/media/a.png');
  let reads = 0;
  // A getter that throws now and then: here on its first read (the warm path's), not after.
  const flaky = {
    company: 'Acme Corp',
    get icon() {
      if (reads++ === 0) throw new Error('icon getter');
      return 'a.png';
    },
  };
  assert.is(logos.logo(flaky), '/media/a.png', 'the full path read it again');
  assert.is(errors.length, 1, 'and reported the read that threw, once');
  assert.match(errors[0]?.message ?? '', /icon getter/);
  const prototypeTrap = new Proxy({ company: 'Acme Corp', icon: 'a.png' }, {
    getPrototypeOf() {
      throw new Error('getPrototypeOf trap');
    },
  });
  assert.is(logos.logo(prototypeTrap), placeholder);
  assert.is(errors.length, 2);
  const { proxy, revoke } = Proxy.revocable({ company: 'Acme Corp', icon: 'a.png' }, {});
  revoke();
  assert.is(logos.logo(proxy), placeholder);
  assert.is(logos.fileUrl({ get name(): string { throw new Error('name getter'); } }, 'Acme Corp'), acme);
  assert.is(errors.length, 4);
});

test.after(() => media.cleanup());
test.run();
