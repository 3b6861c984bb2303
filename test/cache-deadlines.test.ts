/**
 * Deadlines that fire after a garbage collection (issue 8 §1): the cache's `hardTimeout` must be held
 * by something that lives until the check settles, not by a weakly held `AbortSignal.timeout()`.
 * Real HTTP storage on 127.0.0.1; gc exposed in this process through V8's flags.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, httpStorage, uiAvatars, type LogoFallbackError } from '../src/index.js';
import { startServer } from './storage/servers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a hung check is aborted at hardTimeout after a gc; the next window re-checks and the logo comes back', async () => {
  let heads = 0;
  const aborted: number[] = [];
  // The first HEAD hangs (until the client gives up); every later one answers 200.
  const media = await startServer((request, response) => {
    const n = ++heads;
    if (n === 1) {
      response.on('close', () => aborted.push(n));
      return;
    }
    response.writeHead(200, { 'Content-Length': '3', 'Content-Type': 'image/png' }).end();
  });
  try {
    const errors: LogoFallbackError[] = [];
    const logos = createLogoResolver({
      storage: httpStorage({ baseUrl: `${media.origin}/media/` }),
      avatar: uiAvatars(),
      timeout: 100,
      cache: { hardTimeout: 600, missTtl: 300 },
      onError: (error) => errors.push(error),
    });
    const url = `${media.origin}/media/a.png`;
    assert.match(await logos.fileUrlAsync('a.png', 'Acme'), /^https:\/\/ui-avatars\.com\//);
    gc();
    gc();
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      await sleep(750);
      gc();
      answers.push(await logos.fileUrlAsync('a.png', 'Acme'));
    }
    assert.equal(aborted, [1], 'the hung request was aborted');
    assert.ok(heads >= 2, `the next window asked again (${heads} requests)`);
    assert.is(answers.at(-1), url, `the logo came back: ${answers.join(', ')}`);
    assert.ok(errors.some((error) => error.code === 'TIMEOUT'), 'the hang was reported');
  } finally {
    await media.close();
  }
});

test.run();
