import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { ENV_VARIABLES } from '../../examples/demo/config.js';
import { nginxBinary } from '../e2e/processes.js';

const kit = 'examples/deploy';
const has = (command: string): boolean => (command === 'nginx' ? nginxBinary() !== undefined : spawnSync('sh', ['-c', `command -v ${command}`]).status === 0);

/** A tool the check needs: present, or SKIPPED with why (a failure under REQUIRE_E2E=1, as in CI). */
function need(command: string, install: string): boolean {
  if (has(command)) return true;
  if (process.env.REQUIRE_E2E === '1') assert.unreachable(`${command} is not installed, and REQUIRE_E2E=1`);
  console.log(`  SKIPPED: ${command} is not installed (apt-get install ${install})`);
  return false;
}

function envExample(): Map<string, string> {
  const entries = readFileSync(`${kit}/.env.production.example`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split('=', 2) as [string, string]);
  return new Map(entries);
}

test('nginx -t accepts the kit\'s nginx.conf as it is', () => {
  if (!need('nginx', 'nginx')) return;
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-nginx-t-'));
  try {
    // Output to a file, not a pipe: Node's pipes are sockets, and nginx cannot open /dev/stdout on one.
    const log = path.join(prefix, 'out.log');
    const fd = openSync(log, 'w');
    const run = spawnSync(nginxBinary() as string, ['-t', '-p', prefix, '-c', path.resolve(kit, 'nginx.conf')], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const output = readFileSync(log, 'utf8');
    assert.is(run.status, 0, output);
    assert.match(output, /syntax is ok/);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

test('nginx.conf: media only through the app, then an internal location with nosniff and a sandbox', () => {
  const conf = readFileSync(`${kit}/nginx.conf`, 'utf8');
  const block = (location: string): string => {
    const start = conf.indexOf(`location ${location} {`);
    assert.ok(start !== -1, `location ${location}`);
    return conf.slice(start, conf.indexOf('\n        }', start));
  };
  assert.match(block('/media/'), /proxy_pass \$app;/);
  assert.not.match(block('/media/'), /alias|root /, 'the volume is not served around the app');
  const internal = block('/_protected_media/');
  for (const directive of [/internal;/, /alias \/srv\/media\/;/, /expires 7d;/, /X-Content-Type-Options "nosniff" always/, /sandbox/, /default_type application\/octet-stream;/]) {
    assert.match(internal, directive);
  }
  assert.not.match(internal, /svg|html/, 'nothing in the volume is served as SVG or HTML');
  assert.match(block('/static/'), /expires 30d;/);
  assert.match(conf, /client_max_body_size 5m;/);
  assert.match(conf, /gzip on;/);
  assert.ok(envExample().get('MEDIA_ACCEL_PREFIX') === '/_protected_media/', 'the app redirects to the internal location');
});

test('shellcheck finds nothing in deploy.sh', () => {
  if (!need('shellcheck', 'shellcheck')) return;
  const run = spawnSync('shellcheck', [`${kit}/deploy.sh`], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stdout);
});

test('deploy.sh --dry-run prints every step, in order, and runs nothing', () => {
  const run = spawnSync('bash', [`${kit}/deploy.sh`, '--dry-run'], { encoding: 'utf8', env: { ...process.env, PATH: '/usr/bin:/bin', HTTP_PORT: '8080' } });
  assert.is(run.status, 0, run.stderr);
  const steps = [...run.stdout.matchAll(/^==> (\d)\/7 /gm)].map((match) => match[1]);
  assert.equal(steps, ['1', '2', '3', '4', '5', '6', '7']);
  for (const expected of [
    /^\+ docker version$/m,
    /^\+ docker compose version$/m,
    /^\+ docker volume inspect logo_fallback_media \|\| docker volume create logo_fallback_media$/m,
    /^\+ docker volume inspect logo_fallback_data \|\| docker volume create logo_fallback_data$/m,
    /^\+ docker compose .* build --pull$/m,
    /^\+ docker compose .* up -d --remove-orphans$/m,
    /\{\{\.State\.Health\.Status\}\}/,
    /curl .*http:\/\/127\.0\.0\.1:8080\/media\/base\/company\/icon\/acme\.png/,
    /Dry run: nothing was run/,
  ]) {
    assert.match(run.stdout, expected);
  }
  const stepsOrder = ['volume create', 'build --pull', 'up -d', 'Health.Status', 'curl'].map((text) => run.stdout.indexOf(text));
  assert.equal(stepsOrder, [...stepsOrder].sort((a, b) => a - b), 'volumes, build, start, health, media check');
});

test('deploy.sh refuses unknown options with exit 2', () => {
  const run = spawnSync('bash', [`${kit}/deploy.sh`, '--frobnicate'], { encoding: 'utf8' });
  assert.is(run.status, 2);
  assert.match(run.stderr, /unknown option --frobnicate/);
});

test('compose: external named volumes for media and data, mounted at MEDIA_ROOT and DATA_DIR', () => {
  const compose = parseYaml(readFileSync(`${kit}/docker-compose.production.yaml`, 'utf8')) as {
    services: Record<string, { volumes: string[]; env_file?: string; depends_on?: Record<string, { condition: string }> }>;
    volumes: Record<string, { external?: boolean; name?: string }>;
  };
  const env = envExample();
  const resolve = (text: string): string => text.replace(/\$\{(\w+)(?::\?[^}]*)?\}/g, (_, name: string) => env.get(name) ?? `<unset ${name}>`);
  const mounts = (service: string): Map<string, string> =>
    new Map((compose.services[service]?.volumes ?? []).map((entry) => resolve(entry).split(':').slice(0, 2) as [string, string]));
  const app = mounts('app');
  assert.is(app.get('media'), env.get('MEDIA_ROOT'), 'the media volume is mounted where the app reads it');
  assert.is(app.get('data'), env.get('DATA_DIR'));
  assert.equal(compose.volumes.media, { external: true, name: 'logo_fallback_media' });
  assert.equal(compose.volumes.data, { external: true, name: 'logo_fallback_data' });
  assert.is(compose.services.app?.env_file, '.env.production');
  assert.is(mounts('web').get('media'), '/srv/media', 'nginx reads the same volume');
  assert.ok(compose.services.web?.volumes.includes('media:/srv/media:ro'), 'read-only for nginx');
  assert.equal(compose.services.web?.depends_on, { app: { condition: 'service_healthy' } });
  const deploy = readFileSync(`${kit}/deploy.sh`, 'utf8');
  for (const volume of ['logo_fallback_media', 'logo_fallback_data']) assert.ok(deploy.includes(volume), `deploy.sh creates ${volume}`);
});

test('.env.production.example holds every variable the app reads, and no other', () => {
  assert.equal([...envExample().keys()].sort(), [...ENV_VARIABLES].sort());
  const config = readFileSync('examples/demo/config.ts', 'utf8');
  const read = new Set([...config.matchAll(/env\.([A-Z_]+)/g)].map((match) => match[1]));
  assert.equal([...read].sort(), [...ENV_VARIABLES].sort(), 'config.ts reads exactly ENV_VARIABLES');
});

test('Dockerfile: a non-root user owning media and data, a health check, the paths of the env file', () => {
  const dockerfile = readFileSync(`${kit}/Dockerfile`, 'utf8');
  const env = envExample();
  assert.match(dockerfile, /^USER app$/m);
  assert.match(dockerfile, /^HEALTHCHECK .*\n.*\/healthz/m);
  assert.ok(dockerfile.includes(`mkdir -p ${env.get('MEDIA_ROOT')} ${env.get('DATA_DIR')}`));
  assert.ok(dockerfile.includes(`chown app:app ${env.get('MEDIA_ROOT')} ${env.get('DATA_DIR')}`));
  assert.match(dockerfile, /COPY examples\/deploy\/nginx\.conf \/etc\/nginx\/nginx\.conf/);
});

test.run();
