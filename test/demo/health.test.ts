/**
 * /healthz runs the doctor's write probe where uploads go: red (503, with the reason) when a
 * restore left a folder owned by root, green again once it is fixed — and an upload into such a
 * folder is a clear 503 page, not a stack trace. The app runs as uid/gid 65534 here (as the
 * container's app user does as 10001): the tests run as root, who may write anywhere.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Health } from '../../examples/demo/health.js';
import { SENTINEL_PREFIX } from '../../src/cli/doctor-files.js';
import { startApp } from '../e2e/processes.js';
import { solidPng } from './images.js';

const NOBODY = 65534;

async function health(url: string): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: (await response.json()) as Health };
}

test('/healthz: 200 with every check; 503 naming the folder when uploads or the database cannot be written; an upload there is a clear 503', async () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-health-'));
  chmodSync(base, 0o755);
  const media = path.join(base, 'media');
  const data = path.join(base, 'data');
  for (const dir of [media, data]) {
    mkdirSync(dir);
    chownSync(dir, NOBODY, NOBODY);
  }
  const app = await startApp({ MEDIA_ROOT: media, DATA_DIR: data }, { uid: NOBODY });
  try {
    let answer = await health(app.url);
    assert.is(answer.status, 200);
    assert.equal({ ...answer.body, mediaMount: 'any' }, { status: 'ok', database: true, mediaWritable: true, dataWritable: true, mediaMount: 'any', problems: [] });
    assert.ok(['own-mount', 'host-root', 'container-root', 'memory', 'unknown'].includes(answer.body.mediaMount));

    // A restore run as root leaves the logo folder owned by root.
    const icons = path.join(media, 'base/company/icon');
    chownSync(icons, 0, 0);
    answer = await health(app.url);
    assert.is(answer.status, 503);
    assert.is(answer.body.status, 'failing');
    assert.is(answer.body.mediaWritable, false);
    assert.equal(answer.body.problems, [`uploads cannot be written: ${icons} (create: EACCES; owner uid 0 (root), mode 755)`]);

    const form = new FormData();
    form.set('logo', new File([solidPng(8, [1, 2, 3])], 'new.png', { type: 'image/png' }));
    const upload = await fetch(`${app.url}/companies/1/logo`, { method: 'POST', body: form, redirect: 'manual' });
    assert.is(upload.status, 503);
    assert.match(await upload.text(), /Acme Corp: The logo could not be stored: the server cannot write to its media folder right now\. The previous logo is kept\./);
    assert.match(app.output(), /demo: a logo could not be stored under .*EACCES.*logo-fallback doctor --media-root/);
    assert.not.match(app.output(), /\n\s+at /, 'no stack trace');

    chownSync(icons, NOBODY, NOBODY);
    assert.is((await health(app.url)).status, 200, 'fixed: green again');

    // The database file restored as root: SQLite cannot write it.
    chownSync(path.join(data, 'demo.sqlite'), 0, 0);
    answer = await health(app.url);
    assert.is(answer.status, 503);
    assert.is(answer.body.dataWritable, false);
    assert.match(answer.body.problems.join('\n'), /the data file .*demo\.sqlite cannot be written/);
    chownSync(path.join(data, 'demo.sqlite'), NOBODY, NOBODY);

    const left = readdirSync(base, { recursive: true, encoding: 'utf8' }).filter((entry) => path.basename(entry).startsWith(SENTINEL_PREFIX));
    assert.equal(left, [], 'no sentinel left behind');
  } finally {
    await app.stop();
    rmSync(base, { recursive: true, force: true });
  }
});

test('a data directory the app cannot write: it stops at start-up with one line naming the doctor', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-start-'));
  chmodSync(base, 0o755);
  try {
    const run = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '--import', 'tsx', 'examples/demo/server.ts'], {
      encoding: 'utf8',
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: path.join(base, 'data'), MEDIA_ROOT: path.join(base, 'media') },
      timeout: 30_000,
    });
    assert.is(run.status, 1);
    assert.match(run.stderr.trim(), new RegExp(`^demo: cannot start: .*\\(can uid ${NOBODY} write DATA_DIR and MEDIA_ROOT\\? logo-fallback doctor --media-root .* tells\\)$`));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
