/**
 * An Eleventy build over a hung CDN: one resolver serves the whole build, so its breaker bounds the
 * build's waits, not each page's. A real Eleventy build of a temporary site (a Nunjucks and a
 * Liquid page, each listing 30 companies) against a loopback HTTP server that never answers.
 * Counted from onError (renders that waited a full `timeout`), not timed.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Eleventy from '@11ty/eleventy';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eleventyLogoFallback } from '../adapters/eleventy.js';
import { httpStorage, uiAvatars, type LogoFallbackError } from '../src/index.js';
import { mediaServer } from './cache-servers.js';
import { LOOP, companies, images, openings, waited } from './helpers/breaker-pages.js';

test('a build of two 30-company pages over a hung storage waits for about `failures` checks, not 60', async () => {
  const media = await mediaServer();
  media.delay = 'hang';
  const dir = await mkdtemp(path.join(tmpdir(), 'logo-fallback-breaker-'));
  try {
    const input = path.join(dir, 'site');
    const output = path.join(dir, '_site');
    await mkdir(path.join(input, '_data'), { recursive: true });
    await writeFile(path.join(input, '_data', 'cs.json'), JSON.stringify(companies('eleventy', 30)));
    await writeFile(path.join(input, 'nunjucks.njk'), LOOP.nunjucks);
    await writeFile(path.join(input, 'liquid.liquid'), LOOP.liquid);
    const errors: LogoFallbackError[] = [];
    const eleventy = new Eleventy(input, output, {
      quietMode: true,
      config(eleventyConfig) {
        eleventyConfig.addPlugin(eleventyLogoFallback, {
          storage: httpStorage({ baseUrl: media.baseUrl }),
          avatar: uiAvatars(),
          timeout: 100,
          cache: { hardTimeout: 5_000, breaker: { failures: 3, cooldown: 600_000 } },
          onError: (error: LogoFallbackError) => errors.push(error),
        });
      },
    });
    eleventy.disableLogger();
    await eleventy.write();
    for (const page of ['nunjucks', 'liquid']) {
      const html = await readFile(path.join(output, page, 'index.html'), 'utf8');
      assert.equal(images(html, media.baseUrl), { logos: 0, avatars: 30 }, `${page}: a whole page of avatars`);
    }
    // Eleventy may render the two pages at once: each can have one wait in flight when the third failure opens it.
    const count = waited(errors);
    assert.ok(count >= 3 && count <= 4, `renders that waited a full timeout: ${count} (of 60 companies)`);
    assert.is(openings(errors).length, 1);
  } finally {
    await media.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
