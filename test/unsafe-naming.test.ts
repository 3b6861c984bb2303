/**
 * One name for a containment refusal: a key the fs driver refuses because a symlink on its path
 * resolves outside the root is `unsafe` everywhere — `lookup().state`, the `INVALID_KEY` report,
 * the media route's `X-Logo-Fallback`, the audit's outcome — never a storage `fault`. And, not being
 * a fault, it never keeps a logo known present on the page within stale-if-error: the refusal
 * replaces it at once.
 */
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { audit, type AuditProblem } from '../src/cli/audit.js';
import { perKeyChecker } from '../src/cli/checks.js';
import { createLogoResolver, fsStorage, uiAvatars, type LogoFallbackError, type Storage } from '../src/index.js';
import { mediaHandler } from '../src/server/index.js';
import { until } from './cache-servers.js';
import { tempMedia } from './helpers/media.js';
import { serve } from './server/media-helpers.js';

const media = tempMedia({ 'base/real.png': 'png', 'inner/keep.png': 'png' });
const base = path.dirname(media.root);
const outside = path.join(base, 'outside');
mkdirSync(outside);
writeFileSync(path.join(outside, 'secret.png'), 'secret');
// A file link out, a directory link out, and a directory link out below an in-root alias.
symlinkSync(path.join(outside, 'secret.png'), path.join(media.root, 'base', 'escape.png'));
symlinkSync(outside, path.join(media.root, 'linked-dir'));
symlinkSync(outside, path.join(media.root, 'inner', 'out'));
symlinkSync(path.join(media.root, 'inner'), path.join(media.root, 'via'));
const REFUSED = ['base/escape.png', 'linked-dir/secret.png', 'via/out/secret.png'];

const avatar = uiAvatars({ background: '#1e3a8a' });
const AC = 'https://ui-avatars.com/api/?name=AC&background=1e3a8a&color=ffffff';

/** The fs driver, and the same without its sync check (so that the answer comes through the async check runner). */
function storages(): Storage[] {
  const fs = fsStorage({ root: media.root, baseUrl: '/media/' });
  const { existsSync: _, ...asyncOnly } = fs;
  return [fs, asyncOnly];
}

test('lookup() says unsafe (with its key), onError hears INVALID_KEY, the page gets the avatar — sync and async checks', async () => {
  for (const storage of storages()) {
    const errors: LogoFallbackError[] = [];
    const logos = createLogoResolver({ storage, avatar, onError: (e) => errors.push(e) });
    const env = registerNunjucks(new nunjucks.Environment(), logos);
    for (const key of REFUSED) {
      assert.equal(await logos.lookup(key), { state: 'unsafe', key }, key);
      assert.equal(await logos.lookup(`/media/${key}`), { state: 'unsafe', key }, 'as our URL too');
      assert.is(await logos.fileUrlAsync(key, 'Acme Corp'), AC);
      assert.is(env.renderString('{{ c | get_company_logo }}', { c: { company: 'Acme Corp', icon: key } }), AC.replaceAll('&', '&amp;'));
    }
    assert.is(errors.length, REFUSED.length, errors.map((e) => e.message).join(' | '));
    assert.ok(errors.every((e) => e.code === 'INVALID_KEY' && /outside the root/.test(e.message)));
    assert.equal(await logos.lookup('base/real.png'), { state: 'present', key: 'base/real.png', url: '/media/base/real.png' });
    assert.equal(await logos.lookup('base/gone.png'), { state: 'missing', key: 'base/gone.png' });
  }
});

test('the media route answers X-Logo-Fallback: unsafe, and the audit counts it unsafe', async () => {
  for (const storage of storages()) {
    const errors: LogoFallbackError[] = [];
    const logos = createLogoResolver({ storage, onError: (e) => errors.push(e) });
    const server = await serve(mediaHandler(logos));
    try {
      for (const key of REFUSED) {
        const reply = await server.request(`/media/${key}`);
        assert.is(reply.status, 307, key);
        assert.is(reply.headers['x-logo-fallback'], 'unsafe', key);
        assert.not.ok(reply.body.includes('secret'));
      }
      assert.is((await server.request('/media/base/real.png')).status, 200);
    } finally {
      await server.close();
    }
    assert.ok(errors.length > 0 && errors.every((e) => e.code === 'INVALID_KEY'), errors.map((e) => e.code).join());
  }
  const problems: AuditProblem[] = [];
  const { summary } = await audit(
    (async function* () {
      yield REFUSED.map((icon, i) => ({ line: i + 1, record: { id: i + 1, icon } }));
    })(),
    {
      checker: perKeyChecker(fsStorage({ root: media.root }), { concurrency: 2, timeout: 5000 }),
      contexts: [{ baseUrl: '/media/', root: media.root }],
      idField: 'id',
      nameFields: ['company'],
      fileFields: ['icon'],
      onProblem: (problem) => problems.push(problem),
    },
  );
  assert.is(summary.unsafe, REFUSED.length);
  assert.is(summary.fault, 0);
});

test('a logo known present whose directory is swapped for a link out: the avatar at the next check, not kept by stale-if-error', async () => {
  const dir = path.join(media.root, 'swap');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'acme.png'), 'png');
  writeFileSync(path.join(outside, 'acme.png'), 'outside');
  const errors: LogoFallbackError[] = [];
  const storage = fsStorage({ root: media.root, baseUrl: '/media/' });
  const { existsSync: _, ...asyncOnly } = storage;
  // A short ttl and the default stale-if-error (5 minutes): a fault would keep the logo for that long.
  const logos = createLogoResolver({ storage: asyncOnly, avatar, cache: { ttl: 50 }, onError: (e) => errors.push(e) });
  const record = { company: 'Acme Corp', icon: 'swap/acme.png' };
  assert.is(await logos.logoAsync(record), '/media/swap/acme.png');
  renameSync(dir, path.join(base, 'swap-old'));
  symlinkSync(outside, dir);
  // The fs driver trusts a directory it resolved for about a second; then a re-check refuses it.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  assert.is(logos.logo(record), '/media/swap/acme.png', 'stale: served once more while the re-check runs (stale-while-revalidate)');
  await until(() => errors.length > 0, 10_000, 'the re-check');
  assert.is(logos.logo(record), AC);
  assert.is(await logos.logoAsync(record), AC);
  assert.equal(await logos.lookup('swap/acme.png'), { state: 'unsafe', key: 'swap/acme.png' });
  assert.is(errors.length, 1);
  assert.is(errors[0]?.code, 'INVALID_KEY');
});

test.after(() => media.cleanup());
test.run();
