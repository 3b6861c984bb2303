/**
 * The kit's two ways of serving /media/ (NGINX_MEDIA: accel, direct), wired from the env file to
 * the web image, and deploy.sh's hint for a lost volume: what the operator is told to run lists
 * every lost file. Statically, on this machine; test/e2e runs both modes through a real nginx,
 * `npm run test:docker` in containers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { companies } from '../../fixtures/companies.js';
import { main } from '../../src/cli/index.js';
import { MEDIA_MODES } from '../e2e/processes.js';
import { dockerfileStages, dryRun } from './kit-files.js';

const kit = 'examples/deploy';

test('NGINX_MEDIA: the env file → compose\'s build argument → the web image\'s media-mode.conf (accel unless told)', () => {
  const web = dockerfileStages(readFileSync(`${kit}/Dockerfile`, 'utf8')).get('web') ?? '';
  assert.match(web, /^ARG NGINX_MEDIA=accel$/m);
  assert.match(web, /^COPY examples\/deploy\/nginx-media-\$\{NGINX_MEDIA\}\.conf \/etc\/nginx\/media-mode\.conf$/m, 'beside nginx.conf, where its relative include looks');
  assert.ok(web.indexOf('media-mode.conf') < web.indexOf('RUN nginx -t'), 'nginx -t checks the chosen mode');
  const compose = parseYaml(readFileSync(`${kit}/docker-compose.production.yaml`, 'utf8')) as { services: Record<string, { build?: { args?: Record<string, string> } }> };
  assert.equal(compose.services.web?.build?.args, { NGINX_MEDIA: '${NGINX_MEDIA:-accel}' });
  for (const mode of MEDIA_MODES) assert.ok(readFileSync(`${kit}/nginx-media-${mode}.conf`, 'utf8').includes('location /media/ {'), mode);
});

test('deploy.sh takes NGINX_MEDIA from the environment, else the env file, else accel, and refuses anything but accel or direct', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-deploy-'));
  try {
    const file = path.join(dir, 'site.env');
    for (const [line, env, expected] of [
      ['NGINX_MEDIA=direct', {}, 'direct'],
      ['', {}, 'accel'],
      ['NGINX_MEDIA=direct', { NGINX_MEDIA: 'accel' }, 'accel'],
    ] as const) {
      writeFileSync(file, `${line}\nMEDIA_ROOT=/srv/media\n`);
      const run = dryRun(['--env-file', file], env);
      assert.is(run.status, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`media on volume logo_fallback_media \\(served ${expected}\\)`), `${line} ${JSON.stringify(env)}`);
    }
    for (const bad of ['x-accel', 'DIRECT', 'direct;rm -rf /', '../../etc/passwd']) {
      writeFileSync(file, `NGINX_MEDIA=${bad}\n`);
      const run = dryRun(['--env-file', file]);
      assert.is(run.status, 1, bad);
      assert.match(run.stderr, /NGINX_MEDIA must be accel \(through the app\) or direct \(from the volume\)/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deploy.sh\'s hint for a lost volume: the audit it prints lists every lost file and exits 1, where the default brake would exit 3', async () => {
  const script = readFileSync(`${kit}/deploy.sh`, 'utf8');
  const flags = /logo-fallback audit ([^"]*?\\"\\\$MEDIA_ROOT\\"[^"]*?) -"\)/.exec(script)?.[1];
  assert.ok(flags !== undefined, 'the hint runs logo-fallback audit on MEDIA_ROOT');
  const empty = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-lost-'));
  const records = companies.map((company) => JSON.stringify(company)).join('\n');
  const audit = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await main(['audit', ...args, '-'], {
      stdin: Readable.from([records]),
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
    });
    return { code, stdout, stderr };
  };
  try {
    const args = (flags as string).replace(/\\"\\?\$MEDIA_ROOT\\"/, empty).split(/\s+/);
    assert.equal(args.slice(0, 2), ['--root', empty]);
    const hinted = await audit(args);
    assert.is(hinted.code, 1, hinted.stderr);
    assert.not.match(hinted.stderr, /stopped/);
    const listed = await audit([...args, '--json']);
    const report = JSON.parse(listed.stdout) as { problems: Array<{ reference: string; reason: string }>; brake: string | null };
    assert.is(report.brake, null);
    const lost = companies.filter((company) => company.icon !== null && !company.icon.includes('..')).map((company) => company.icon);
    assert.equal(report.problems.filter((problem) => problem.reason === 'missing').map((problem) => problem.reference), lost, 'every lost file');
    // Without the flag the same audit brakes: the list is printed, then "stopped", exit 3.
    const braked = await audit(['--root', empty]);
    assert.is(braked.code, 3);
    assert.match(braked.stderr, /the storage looks unmounted or empty/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test.run();
