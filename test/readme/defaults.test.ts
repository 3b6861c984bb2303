/**
 * The defaults the README states, each held to what the code does: every row names the README's
 * words (they must be in the README, white space aside) and observes the default through the code
 * (a drawn avatar, a URL, a count of requests on a real server, the parsed flags). A README that
 * says "16 at a time" while the code checks 32 — or code whose default moves away from its README —
 * fails here. The resolver's durations (`ttl`, `missTtl`, `hardTimeout`, `staleIfError`, `timeout`)
 * are observed on a mocked clock in test/cache-defaults.test.ts; their README rows are checked here
 * against the same values.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAuditArgs } from '../../src/cli/audit-args.js';
import { parseDoctorArgs } from '../../src/cli/doctor-args.js';
import { contrast, createLogoResolver, fsStorage, httpStorage, initialsAvatar, s3Storage, uiAvatars, type Storage } from '../../src/index.js';
import { avatarFetchHandler } from '../../src/server/index.js';
import { startServer } from '../storage/servers.js';
import { repoDir } from '../helpers/packed.js';

const readme = (await readFile(join(repoDir, 'README.md'), 'utf8')).replace(/\s+/g, ' ');

/** Asserts that the README says `words` (white space, line breaks included, counts as one space). */
function says(words: string): void {
  assert.ok(readme.includes(words.replace(/\s+/g, ' ')), `the README does not say: ${words}`);
}

const svg = (url: string): string => decodeURIComponent(url.slice('data:image/svg+xml,'.length));
const route = initialsAvatar({ route: '/avatars/' });
const unused: Storage = { name: 'none', baseUrl: '/media/', exists: async () => false, url: (key) => `/media/${key}` };

test('the resolver: concurrency, fields, placeholder, and the durations the mocked-clock test pins', async () => {
  says("| `concurrency` | `number` | `32` |");
  says('await logos.prefetch(companies);   // one check per distinct file, 32 at a time (`concurrency`)');
  let running = 0;
  let most = 0;
  const counting: Storage = {
    name: 'counting',
    baseUrl: '/media/',
    url: (key) => `/media/${key}`,
    async exists() {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return true;
    },
  };
  const logos = createLogoResolver({ storage: counting, onError: () => undefined });
  await logos.prefetch(Array.from({ length: 200 }, (_, i) => ({ company: `C${i}`, icon: `logo-${i}.png` })));
  assert.is(most, 32, 'checks at once, by default');

  says("| `fields.name` | `string \\| string[]` | `['company', 'name']` |");
  says("| `fields.file` | `string \\| string[]` | `['icon', 'logo']` |");
  says("| `placeholder` | `string` | `'C'` |");
  const plain = createLogoResolver({ storage: unused, avatar: route, onError: () => undefined });
  assert.is(plain.name({ name: 'Beta', company: 'Alpha' }), 'Alpha', 'company before name');
  assert.is(plain.name({ name: 'Beta' }), 'Beta');
  const files = createLogoResolver({ storage: { ...unused, exists: async (key) => key === 'logo.png', existsSync: (key) => key === 'logo.png' }, onError: () => undefined });
  assert.is(files.logo({ logo: 'logo.png' }), '/media/logo.png', 'logo is read');
  assert.is(files.logo({ icon: 'logo.png', logo: 'other.png' }), '/media/logo.png', 'icon before logo');
  assert.match(plain.logo({}), /^\/avatars\/C\.svg\?/);

  // Observed on a mocked clock in test/cache-defaults.test.ts at these values.
  says('| `cache.ttl` | `number` (ms) | `30_000` |');
  says('| `cache.missTtl` | `number` (ms) | `5_000` |');
  says('| `cache.max` | `number` | `10_000` |');
  says('| `cache.hardTimeout` | `number` (ms) | `10_000` |');
  says('| `cache.staleIfError` | `number` (ms) | `300_000` |');
  says('| `timeout` | `number` (ms) | `300` |');
});

test('initialsAvatar: every default of its table', () => {
  const drawn = svg(initialsAvatar()({ name: 'acme corp industries' }));
  says('| `size` | 16–512 | `64` (SVG), `128` (PNG) |');
  assert.match(drawn, /^<svg [^>]*width="64" height="64"/);
  assert.match(initialsAvatar({ route: '/avatars/', format: 'png' })({ name: 'Acme' }), /^\/avatars\/[A-Z]+\.png\?size=128&/);
  says("| `format` | `'svg'` \\| `'png'` | `'svg'` |");
  assert.ok(initialsAvatar()({ name: 'Acme' }).startsWith('data:image/svg+xml,'));
  says('| `maxSize` | 16–512 | `512` |');
  assert.match(route({ name: 'Acme', size: 100_000 }), /size=512&/);
  says("| `shape` | `'square'` \\| `'rounded'` \\| `'circle'` | `'square'` |");
  assert.match(route({ name: 'Acme' }), /&shape=square&/);
  says('| `fontFamily` | font stack | `system-ui,-apple-system,Segoe UI,Roboto,sans-serif` |');
  assert.match(drawn, /font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif"/);
  says("| `fontWeight` | 1–1000, `'normal'`, `'bold'` | `600` |");
  assert.match(drawn, /font-weight="600"/);
  says('| `length` | 1–3 | `2` |');
  says('| `uppercase` | boolean | `true` |');
  assert.match(drawn, />AI<\/text>/, 'two initials (three with length 3: ACI), upper-cased');
  says("| `placeholder` | name | `'C'` |");
  assert.match(route({ name: '' }), /^\/avatars\/C\.svg/);
  says('| `label` | boolean | `false` |');
  assert.match(drawn, /aria-hidden="true"/);
  assert.not.match(drawn, /aria-label/);
  says('| `minContrast` | 4.5–21 | `4.5` |');
  // #777777 reaches 4.48:1 with white: repaired just past 4.5, not to 7 (AAA).
  const background = /fill="(#[0-9a-f]{6})"/.exec(svg(initialsAvatar({ palette: ['#777777'], textColor: '#ffffff' })({ name: 'Acme' })))?.[1] ?? '';
  const ratio = contrast(background, '#ffffff');
  assert.ok(ratio >= 4.5 && ratio < 5, `${background}: ${ratio}`);
});

test('the avatar route: SVG size 64, PNG size 128 up to 512', async () => {
  says('Sizes are 16–512 px (default 128; `maxSize` lowers the cap)');
  const handler = avatarFetchHandler({ png: true });
  const svgAnswer = await handler(new Request('http://localhost/avatars/AC.svg')).text();
  assert.match(svgAnswer, /width="64" height="64"/);
  const png = new Uint8Array(await handler(new Request('http://localhost/avatars/AC.png')).arrayBuffer());
  const width = new DataView(png.buffer).getUint32(16);
  assert.is(width, 128, 'IHDR width');
  assert.is(handler(new Request('http://localhost/avatars/AC.png?size=512')).status, 200);
  assert.is(handler(new Request('http://localhost/avatars/AC.png?size=513')).status, 400);
});

test('uiAvatars, fsStorage and s3Storage URLs', () => {
  says('`baseUrl` (default `https://ui-avatars.com/api/`');
  assert.ok(uiAvatars()({ name: 'Acme' }).startsWith('https://ui-avatars.com/api/?name=A'));
  says("`fsStorage({ root, baseUrl = '/media/' })`");
  assert.is(fsStorage({ root: 'media' }).url('a.png'), '/media/a.png');
  says('signedUrls: { expiresIn: 3600 } — presigned GET URLs (the default)');
  const url = s3Storage({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'media', accessKeyId: 'id', secretAccessKey: 'secret', forcePathStyle: true }).url('a.png');
  assert.match(url, /[?&]X-Amz-Expires=3600(&|$)/);
});

test('httpStorage: 16 connections at most, by default (a real server on 127.0.0.1)', async () => {
  says('maxSockets: 16,                                  // default: connections kept open to the origin');
  const pending: Array<() => void> = [];
  const server = await startServer((_request, response) => {
    pending.push(() => response.writeHead(200, { 'Content-Length': '3' }).end());
  });
  try {
    const storage = httpStorage({ baseUrl: `${server.origin}/media/` });
    const checks = Promise.all(Array.from({ length: 40 }, (_, i) => storage.exists(`logo-${i}.png`)));
    // Wait until the server holds every request it will get before any answer.
    for (let i = 0; i < 1000 && pending.length < 16; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is(server.connections(), 16);
    assert.is(pending.length, 16, 'requests in flight');
    for (let i = 0; i < 2000 && (pending.length > 0 || server.requests.length < 40); i++) {
      pending.splice(0).forEach((answer) => answer());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok((await checks).every(Boolean));
    assert.is(server.connections(), 16, 'the same connections, kept alive');
  } finally {
    pending.splice(0).forEach((answer) => answer());
    await server.close();
  }
});

test('the CLI flags: audit and doctor', () => {
  const audit = parseAuditArgs(['records.json']);
  says('| `--concurrency <n>`, `--timeout <ms>` | checks at once; how long one may take before it is a fault | 32; 10000 |');
  assert.is(audit?.concurrency, 32);
  assert.is(audit?.timeout, 10_000);
  says('| `--root <dir>` | local storage: the media directory (`MEDIA_ROOT`) | `media` |');
  assert.equal(audit?.storage, { kind: 'fs', root: 'media', baseUrl: '/media/' });
  says('stops the audit (exit 3); `0.5`, `50%` | `0.5` |');
  assert.is(audit?.maxMissing, 0.5);
  says('are not orphans yet | `24h` |');
  assert.is(audit?.minAge, 24 * 3600 * 1000);

  const doctor = parseDoctorArgs(['--media-root', 'media']);
  says('`--file-field NAME` (default `icon,logo`), `--base-url URL` (default `/media/`), `--max-missing SHARE` (0–1, default 0.5)');
  assert.equal(doctor?.fileFields, ['icon', 'logo']);
  assert.is(doctor?.baseUrl, '/media/');
  assert.is(doctor?.maxMissing, 0.5);
  says('below `--min-free` (default 100M)');
  assert.is(doctor?.minFree, 100 * 1024 ** 2);
});

test.run();
