/**
 * Many distinct keys at once (issue 8 §2): every check — renders, background re-checks, prefetch —
 * runs through one bounded queue, counted at a real HTTP server on 127.0.0.1.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AVATAR_NAME_LENGTH } from '../src/avatars/initials.js';
import { createLogoResolver, fsStorage, httpStorage } from '../src/index.js';
import { tempMedia } from './helpers/media.js';
import { httpResolver, mediaServer, until } from './cache-servers.js';

const isAvatar = (url: string): boolean => url.startsWith('https://ui-avatars.com/');


test('2,000 distinct keys at once: at most `concurrency` requests in flight, and the next render shows every logo', async () => {
  const media = await mediaServer();
  try {
    const records = Array.from({ length: 2_000 }, (_, i) => ({ company: `Company ${i}`, icon: `icons/${i}.png` }));
    for (const record of records) media.files.add(record.icon);
    media.delay = 20;
    const { logos, errors } = httpResolver(media);
    const first = await Promise.all(records.map((record) => logos.logoAsync(record)));
    assert.ok(first.every((url, i) => isAvatar(url) || url === `${media.baseUrl}icons/${i}.png`));
    await until(() => media.checks() === 2_000 && media.inFlight === 0, 120_000, 'every check');
    await logos.prefetch(records); // joins the last checks' answers on the client side; asks nothing new
    assert.ok(media.maxInFlight <= 32, `the default concurrency is 32; the server saw ${media.maxInFlight} at once`);
    assert.ok(media.maxInFlight >= 2, `the queue runs checks side by side (${media.maxInFlight} at once)`);
    const next = await Promise.all(records.map((record) => logos.logoAsync(record)));
    next.forEach((url, i) => assert.is(url, `${media.baseUrl}icons/${i}.png`));
    assert.is(media.checks(), 2_000, 'one check per key');
    // The renders that gave up in the queue were reported once, not once per key.
    assert.ok(errors.filter((error) => /waited in the queue/.test(error.message)).length <= 1, errors.map((e) => e.message).slice(0, 3).join('\n'));
    assert.ok(errors.every((error) => error.code === 'TIMEOUT'));
  } finally {
    await media.close();
  }
});

test('the concurrency option bounds requests in flight, whoever starts them (sync renders, async renders, prefetch)', async () => {
  const media = await mediaServer();
  try {
    media.delay = 10;
    for (let i = 0; i < 300; i++) media.files.add(`p/${i}.png`);
    // A long hardTimeout: prefetch() waits for every answer however loaded the machine is.
    const { logos } = httpResolver(media, { concurrency: 5, cache: { hardTimeout: 120_000 } });
    const files = Array.from({ length: 300 }, (_, i) => `p/${i}.png`);
    const sync = files.slice(0, 100).map((file) => logos.fileUrl(file));
    assert.ok(sync.every(isAvatar), 'a sync render of a cold cache answers the avatar and queues the checks');
    const rendered = Promise.all(files.slice(100, 200).map((file) => logos.fileUrlAsync(file)));
    // prefetch() asks for more at once than the resolver allows: the resolver's bound holds.
    await logos.prefetch(files, { files: true, concurrency: 100 });
    await rendered;
    assert.ok(media.maxInFlight <= 5, `${media.maxInFlight} requests at once`);
    assert.is(media.checks(), 300);
    assert.ok(files.every((file) => logos.fileUrl(file) === `${media.baseUrl}${file}`), 'prefetch waited for the answers');
    assert.is(media.checks(), 300);
  } finally {
    await media.close();
  }
});

test("a render's timeout counts from when its check starts, not from when it joined the queue", async () => {
  const media = await mediaServer();
  try {
    media.files.add('one.png');
    media.files.add('two.png');
    media.delay = 'hold';
    const { logos } = httpResolver(media, { concurrency: 1, timeout: 1_000 });
    const one = logos.fileUrlAsync('one.png');
    const two = logos.fileUrlAsync('two.png');
    await media.arrived(1);
    await sleep(400);
    media.held[0]?.release();
    assert.is(await one, `${media.baseUrl}one.png`);
    await media.arrived(2);
    await sleep(700); // 1,100 ms after it was asked for, 700 ms after its check started
    media.held[1]?.release();
    assert.is(await two, `${media.baseUrl}two.png`);
  } finally {
    await media.close();
  }
});

test('a hung storage fills every slot: queued renders give up after `timeout` in the queue, not after hardTimeout', async () => {
  const media = await mediaServer();
  try {
    media.delay = 'hang';
    const { logos, errors } = httpResolver(media, { concurrency: 1, timeout: 100, cache: { hardTimeout: 20_000 } });
    const answers = await Promise.all(['a.png', 'b.png', 'c.png'].map((file) => logos.fileUrlAsync(file)));
    assert.ok(answers.every(isAvatar));
    assert.equal(media.aborted, [], 'nobody waited for the hung request to be aborted');
    assert.is(media.checks(), 1, 'the queued checks did not start');
    assert.equal(
      errors.map((error) => error.code),
      ['TIMEOUT', 'TIMEOUT'],
      errors.map((error) => error.message).join('\n'),
    );
    assert.match(errors.map((error) => error.message).join('\n'), /waited in the queue/);
  } finally {
    await media.close();
  }
});

test('the queue holds at most cache.max checks; beyond, keys are not checked and onError says so once', async () => {
  const media = await mediaServer();
  try {
    media.delay = 'hang';
    const { logos, errors } = httpResolver(media, { concurrency: 1, cache: { max: 20 } });
    for (let i = 0; i < 100; i++) assert.ok(isAvatar(logos.fileUrl(`k/${i}.png`)));
    await sleep(50);
    assert.is(media.checks(), 1);
    const full = errors.filter((error) => /20 checks are waiting/.test(error.message));
    assert.is(full.length, 1, errors.map((e) => e.message).join('\n'));
  } finally {
    await media.close();
  }
});

test('memo sizes follow cache.max: memoSize, and a page of 3,000 missing names draws each avatar once', () => {
  assert.is(createLogoResolver().memoSize, 10_000);
  assert.is(createLogoResolver({ cache: { max: 1_234 } }).memoSize, 1_234);
  let drawn = 0;
  let urls = 0;
  const files = tempMedia();
  try {
    const fs = fsStorage({ root: files.root });
    const logos = createLogoResolver({
      storage: { ...fs, url: (key) => (urls++, fs.url(key)) },
      avatar: ({ name }) => {
        drawn++;
        return `/avatars/${encodeURIComponent(name)}.svg`;
      },
      onError: () => undefined,
    });
    const records = Array.from({ length: 3_000 }, (_, i) => ({ company: `Company ${i}`, icon: `gone/${i}.png` }));
    for (let round = 0; round < 3; round++) for (const record of records) logos.logo(record);
    assert.is(drawn, 1 + 3_000, 'the placeholder (tried at construction), each name once: the second and third renders drew nothing');
    assert.is(urls, 3_000, 'and parsed no reference again');
  } finally {
    files.cleanup();
  }
});

test('a repeated name is a memo hit whatever its length; the provider sees the name as cut for avatars', () => {
  const seen: string[] = [];
  const logos = createLogoResolver({
    avatar: ({ name }) => {
      seen.push(name);
      return `/avatars/${encodeURIComponent(name.slice(0, 40))}.svg`;
    },
  });
  const huge = `Acme ${'\u0301'.repeat(1_000_000)} Corp`;
  const long = `Globex ${'x'.repeat(300)}`;
  for (let i = 0; i < 5; i++) {
    logos.avatar(huge);
    logos.avatar(huge.slice(0)); // an equal string, not the same one
    logos.avatar(long);
    logos.avatar(`${long}`, { size: 48 });
    logos.avatar(`${long} and more`); // the same first AVATAR_NAME_LENGTH code units
  }
  assert.is(seen.shift(), 'C', 'the placeholder, tried at construction');
  assert.is(seen.length, 3);
  assert.ok(seen.every((name) => name.length <= AVATAR_NAME_LENGTH), 'the provider was given the cut name');
  // Leading white space is trimmed before the cut: these two differ within the first 256 characters.
  const spaced = (name: string): string => `${' '.repeat(300)}${name}`;
  assert.is.not(logos.avatar(spaced('Acme Corp')), logos.avatar(spaced('Zed Ltd')));
  assert.is(seen.at(-1), 'Zed Ltd');
});

test.run();
