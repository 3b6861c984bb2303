/**
 * The deployment kit (examples/deploy), checked statically: nginx -t, shellcheck, deploy.sh's dry
 * run, and the rules that tie its files together. Building and running it for real is
 * `npm run test:docker` (test/docker), which runs `docker compose config` too.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { ENV_VARIABLES } from '../../examples/demo/config.js';
import { MAX_UPLOAD_BODY_BYTES } from '../../examples/demo/upload.js';
import { MEDIA_MODES, nginxBinary, type MediaMode } from '../e2e/processes.js';
import { composeLines, DEPLOY_VARIABLES, dockerfileStages, dockerignoreIncludes, dryRun, envExample, nginxSize, promotedPackages } from './kit-files.js';

const kit = 'examples/deploy';
const has = (command: string): boolean => (command === 'nginx' ? nginxBinary() !== undefined : spawnSync('sh', ['-c', `command -v ${command}`]).status === 0);

/** A tool the check needs: present, or SKIPPED with why (a failure under REQUIRE_E2E=1, as in CI). */
function need(command: string, install: string): boolean {
  if (has(command)) return true;
  if (process.env.REQUIRE_E2E === '1') assert.unreachable(`${command} is not installed, and REQUIRE_E2E=1`);
  console.log(`  SKIPPED: ${command} is not installed (apt-get install ${install})`);
  return false;
}

for (const mode of MEDIA_MODES) {
  test(`nginx -t accepts the kit's nginx.conf with media mode ${mode} beside it (as the web image's build puts it)`, () => {
    if (!need('nginx', 'nginx')) return;
    const prefix = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-nginx-t-'));
    try {
      copyFileSync(`${kit}/nginx.conf`, path.join(prefix, 'nginx.conf'));
      copyFileSync(`${kit}/nginx-media-${mode}.conf`, path.join(prefix, 'media-mode.conf'));
      // Output to a file, not a pipe: Node's pipes are sockets, and nginx cannot open /dev/stdout on one.
      const log = path.join(prefix, 'out.log');
      const fd = openSync(log, 'w');
      const run = spawnSync(nginxBinary() as string, ['-t', '-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      const output = readFileSync(log, 'utf8');
      assert.is(run.status, 0, output);
      assert.match(output, /syntax is ok/);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
}

test('nginx.conf: /media/ through the app (accel) or from the volume (direct); one internal location with nosniff, a sandbox and no symlinks; what it cannot send goes to the app', () => {
  const conf = readFileSync(`${kit}/nginx.conf`, 'utf8');
  const block = (text: string, location: string): string => {
    const start = text.indexOf(`location ${location} {`);
    assert.ok(start !== -1, `location ${location}`);
    return text.slice(start, text.indexOf('\n}', start) === -1 ? undefined : text.indexOf('\n}', start));
  };
  assert.match(conf, /^ {8}include media-mode\.conf;$/m, 'the mode is an include in the server block');
  assert.not.match(conf, /location \/media\/ /, 'nginx.conf itself has no /media/ location');
  const accel = readFileSync(`${kit}/nginx-media-accel.conf`, 'utf8');
  assert.match(block(accel, '/media/'), /^\s*proxy_pass \$app;$/m);
  assert.not.match(accel, /alias|root |rewrite/, 'accel: the volume is not reachable around the app');
  const direct = readFileSync(`${kit}/nginx-media-direct.conf`, 'utf8');
  assert.match(block(direct, '/media/'), /rewrite \^\/media\/\(\.\*\)\$ \/_protected_media\/\$1 last;/, 'direct: sent by the one internal location');
  const internal = conf.slice(conf.indexOf('location /_protected_media/ {'), conf.indexOf('location @media_fallback'));
  for (const directive of [/internal;/, /alias \/srv\/media\/;/, /disable_symlinks on;/, /error_page 403 404 = @media_fallback;/, /location ~ \/\\\. \{\s*return 404;/, /expires 7d;/, /X-Content-Type-Options "nosniff" always/, /sandbox/, /default_type application\/octet-stream;/]) {
    assert.match(internal, directive);
  }
  assert.not.match(internal, /svg|html/, 'nothing in the volume is served as SVG or HTML');
  assert.match(conf, /location @media_fallback \{\s*proxy_pass \$app\$request_uri;\s*\}/, 'the app is asked by the URL the browser asked for');
  assert.not.match(conf, /recursive_error_pages on/, 'a second failure is not sent to the app again: no loop');
  assert.match(conf.slice(conf.indexOf('location /static/')), /expires 30d;/);
  assert.match(conf, /gzip on;/);
  assert.ok(envExample().get('MEDIA_ACCEL_PREFIX') === '/_protected_media/', 'the app redirects to the internal location');
  assert.ok(MEDIA_MODES.includes(envExample().get('NGINX_MEDIA') as MediaMode), 'the example names a mode');
});

test('nginx.conf: every header nginx adds is hidden from the app\'s answers (each appears once)', () => {
  const conf = readFileSync(`${kit}/nginx.conf`, 'utf8');
  const server = conf.slice(conf.indexOf('server {'), conf.indexOf('        location'));
  const added = [...server.matchAll(/^\s*add_header ([\w-]+) /gm)].map((match) => match[1]);
  const hidden = [...server.matchAll(/^\s*proxy_hide_header ([\w-]+);/gm)].map((match) => match[1]);
  assert.ok(added.length >= 4, `the server's headers: ${added.join(', ')}`);
  assert.equal(hidden.sort(), [...added].sort());
});

test('nginx.conf: the body limit lets through every upload the app accepts, a stalled body is cut off in seconds', () => {
  const conf = readFileSync(`${kit}/nginx.conf`, 'utf8');
  const limit = nginxSize(/client_max_body_size (\S+);/.exec(conf)?.[1] ?? '0');
  assert.ok(limit >= MAX_UPLOAD_BODY_BYTES, `client_max_body_size ${limit} < the app's ${MAX_UPLOAD_BODY_BYTES}: nginx's bare 413 instead of the app's message`);
  assert.ok(limit <= 2 * MAX_UPLOAD_BODY_BYTES, 'and not far above it');
  const timeout = /client_body_timeout (\d+)s;/.exec(conf)?.[1];
  assert.ok(timeout !== undefined && Number(timeout) <= 30, `client_body_timeout ${timeout ?? 'unset (60s)'}`);
  const page = /error_page 413 \/static\/([\w.-]+);/.exec(conf)?.[1];
  assert.ok(page !== undefined && existsSync(`examples/demo/public/${page}`), 'nginx\'s own 413 shows a page of the app\'s');
  assert.match(readFileSync(`examples/demo/public/${page}`, 'utf8'), /The file is larger than 5 MB\./);
});

test('shellcheck finds nothing in deploy.sh and the container test\'s scripts', () => {
  if (!need('shellcheck', 'shellcheck')) return;
  const run = spawnSync('shellcheck', [`${kit}/deploy.sh`, 'test/docker/engine.sh', 'test/docker/run.sh'], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stdout);
});

test('deploy.sh --dry-run prints every step, in order, runs nothing, and gives every compose command the project\'s flags', () => {
  const run = dryRun(['--env-file', '/etc/kit/site.env', '--override', '/etc/kit/site.yaml'], { HTTP_PORT: '8080' });
  assert.is(run.status, 0, run.stderr);
  const steps = [...run.stdout.matchAll(/^==> (\d)\/8 /gm)].map((match) => match[1]);
  assert.equal(steps, ['1', '2', '3', '4', '5', '6', '7', '8']);
  const flags = `compose --project-directory ${path.resolve(kit)} --env-file /etc/kit/site.env -f ${path.resolve(kit)}/docker-compose.production.yaml -f /etc/kit/site.yaml`;
  const lines = composeLines(run.stdout);
  assert.equal(
    lines.map((line) => / (config|build|up|ps|exec)( |$)/.exec(line)?.[1]),
    ['config', 'build', 'up', 'ps', 'exec', 'ps'],
    'config, build, up, ps (health), exec (doctor), ps (report)',
  );
  for (const line of lines) assert.ok(line.includes(`docker ${flags} `), `every compose command has the project's flags: ${line}`);
  for (const expected of [
    /^\+ docker version$/m,
    /^\+ docker compose version$/m,
    /^\+ docker volume inspect logo_fallback_media \|\| docker volume create logo_fallback_media$/m,
    /^\+ docker volume inspect logo_fallback_data \|\| docker volume create logo_fallback_data$/m,
    / build$/m,
    / up -d --remove-orphans --no-build --pull never$/m,
    /\{\{\.State\.Health\.Status\}\}.* ps -q app\)"/,
    /curl .*http:\/\/127\.0\.0\.1:8080\/healthz/,
    /curl .*http:\/\/127\.0\.0\.1:8080\/static\/demo\.css/,
    / exec -T app sh -c 'node dist\/examples\/demo\/export-companies\.js \| logo-fallback doctor --media-root "\$MEDIA_ROOT" --data-dir "\$DATA_DIR" --records -'$/m,
    / ps$/m,
    /Dry run: nothing was run/,
  ]) {
    assert.match(run.stdout, expected);
  }
  assert.not.match(run.stdout, / build --pull/, 'no pull unless asked');
  const order = [' config --quiet', 'volume create', ' build', ' up -d', 'Health.Status', '/healthz', 'logo-fallback doctor'].map((text) => run.stdout.indexOf(text));
  assert.equal(order, [...order].sort((a, b) => a - b), 'settings, volumes, build, start, health, nginx, doctor');
});

test('deploy.sh --pull asks for newer base images; without it nothing is pulled', () => {
  assert.match(dryRun(['--pull']).stdout, / build --pull$/m);
  assert.match(dryRun([]).stdout, / build$/m);
});

test('deploy.sh takes HTTP_PORT from the environment, else from the env file, else 80; a bad one is refused', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-deploy-'));
  try {
    const file = path.join(dir, 'site.env');
    for (const [line, expected] of [
      ['HTTP_PORT=8181', '8181'],
      ['export HTTP_PORT="8282"  ', '8282'],
      ["HTTP_PORT='8383' # the proxy's port", '8383'],
      ['HTTP_PORT=1\nHTTP_PORT=8484', '8484'],
      ['# HTTP_PORT=9999', '80'],
      ['HTTP_PORTS=9999', '80'],
    ]) {
      writeFileSync(file, `${line}\nMEDIA_ROOT=/srv/media\n`);
      const run = dryRun(['--env-file', file]);
      assert.is(run.status, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`http://127\\.0\\.0\\.1:${expected}/healthz`), `${line} → ${expected}`);
    }
    writeFileSync(file, 'HTTP_PORT=8181\n');
    assert.match(dryRun(['--env-file', file], { HTTP_PORT: '9090' }).stdout, /127\.0\.0\.1:9090\/healthz/, 'the environment wins, as in compose');
    for (const bad of ['eighty', '0', '70000', '80;rm -rf /']) {
      writeFileSync(file, `HTTP_PORT=${bad}\n`);
      const run = dryRun(['--env-file', file]);
      assert.is(run.status, 1, bad);
      assert.match(run.stderr, /HTTP_PORT must be a port number/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deploy.sh refuses unknown options and bad values with exit 2', () => {
  for (const args of [['--frobnicate'], ['--timeout', 'soon'], ['--env-file']]) {
    const run = spawnSync('bash', [`${kit}/deploy.sh`, ...args], { encoding: 'utf8' });
    assert.ok(run.status === 2 || (args[0] === '--env-file' && run.status !== 0), `${args.join(' ')}: ${run.status}`);
  }
  assert.match(spawnSync('bash', [`${kit}/deploy.sh`, '--frobnicate'], { encoding: 'utf8' }).stderr, /unknown option --frobnicate/);
});

test('compose: the app\'s variables all come from the one env file, and the volumes mount where the app reads them', () => {
  type Service = { volumes?: string[]; environment?: Record<string, string>; env_file?: unknown; depends_on?: Record<string, { condition: string }>; command?: string[]; user?: string; network_mode?: string };
  const compose = parseYaml(readFileSync(`${kit}/docker-compose.production.yaml`, 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const app = compose.services.app as Service;
  assert.is(app.env_file, undefined, 'no env_file: compose would read .env.production whatever --env-file says');
  assert.equal(Object.keys(app.environment ?? {}).sort(), [...ENV_VARIABLES].sort(), 'every variable the app reads');
  for (const [name, value] of Object.entries(app.environment ?? {})) assert.match(value, new RegExp(`^\\$\\{${name}[:?}-]`), `${name} comes from the env file`);
  assert.equal(app.volumes, ['media:${MEDIA_ROOT}', 'data:${DATA_DIR}'], 'mounted at the very values the app gets');
  const init = compose.services['volumes-init'] as Service;
  assert.is(init.user, '0:0');
  assert.is(init.network_mode, 'none');
  assert.equal(init.command?.slice(0, 2), ['chown', 'app:app']);
  assert.match(init.command?.[2] ?? '', /^\$\{MEDIA_ROOT/);
  assert.match(init.command?.[3] ?? '', /^\$\{DATA_DIR/);
  assert.equal(init.volumes, ['media:${MEDIA_ROOT}', 'data:${DATA_DIR}']);
  assert.equal(app.depends_on, { 'volumes-init': { condition: 'service_completed_successfully' } });
  assert.equal(compose.volumes.media, { external: true, name: 'logo_fallback_media' });
  assert.equal(compose.volumes.data, { external: true, name: 'logo_fallback_data' });
  assert.ok(compose.services.web?.volumes?.includes('media:/srv/media:ro'), 'nginx reads the same volume, read-only');
  assert.equal(compose.services.web?.depends_on, { app: { condition: 'service_healthy' } });
  const deploy = readFileSync(`${kit}/deploy.sh`, 'utf8');
  for (const volume of ['logo_fallback_media', 'logo_fallback_data']) assert.ok(deploy.includes(volume), `deploy.sh creates ${volume}`);
});

test('.env.production.example holds every variable the app reads, the deployment\'s own, and no other', () => {
  assert.equal([...envExample().keys()].sort(), [...ENV_VARIABLES, ...DEPLOY_VARIABLES].sort());
  const config = readFileSync('examples/demo/config.ts', 'utf8');
  const read = new Set([...config.matchAll(/env\.([A-Z_]+)/g)].map((match) => match[1]));
  assert.equal([...read].sort(), [...ENV_VARIABLES].sort(), 'config.ts reads exactly ENV_VARIABLES');
});

test('Dockerfile: no registry fetch of its own, a runtime of compiled JavaScript and production dependencies, a fixed app user', () => {
  const dockerfile = readFileSync(`${kit}/Dockerfile`, 'utf8');
  assert.not.match(dockerfile, /^#\s*syntax\s*=/im, 'a "# syntax=" line makes BuildKit fetch a frontend image');
  const stages = dockerfileStages(dockerfile);
  const app = stages.get('app') ?? '';
  assert.match(app, /^CMD \["node", "dist\/examples\/demo\/server\.js"\]$/m, 'compiled JavaScript');
  const commands = app.split('\n').filter((line) => /^(RUN|CMD|ENTRYPOINT|HEALTHCHECK|\s)/.test(line)).join('\n');
  assert.not.match(commands, /tsx|npm (ci|install)/, 'no TypeScript at run time, no install in the runtime stage');
  assert.equal([...app.matchAll(/COPY --from=(\S+) \S+ \.\/node_modules/g)].map((match) => match[1]), ['prod-deps'], 'node_modules from the production-only stage');
  assert.match(stages.get('prod-deps') ?? '', /npm install --omit=dev/);
  assert.match(app, /groupadd --gid 10001 app/);
  assert.match(app, /useradd --uid 10001 --gid app /);
  assert.match(app, /^USER app$/m);
  assert.match(app, /^HEALTHCHECK .*\n.*\/healthz/m);
  assert.ok(app.includes('mkdir -p /srv/media /srv/data') && app.includes('chown app:app /srv/media /srv/data'), 'the default mount points are the app\'s');
  assert.match(stages.get('web') ?? '', /COPY examples\/deploy\/nginx\.conf \/etc\/nginx\/nginx\.conf/);
});

test('.dockerignore: the build context is an allow-list holding what the Dockerfile copies, and nothing private', () => {
  const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' }).stdout.trim().split('\n');
  const included = dockerignoreIncludes(readFileSync('.dockerignore', 'utf8'), [...files, '.git/HEAD', 'node_modules/lru-cache/package.json', 'examples/deploy/.env.production', '.env', 'dist/src/index.js']);
  const dockerfile = readFileSync(`${kit}/Dockerfile`, 'utf8');
  const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => (match[1] as string).split(/\s+/)).flatMap((source) => (source.includes('${NGINX_MEDIA}') ? MEDIA_MODES.map((mode) => source.replace('${NGINX_MEDIA}', mode)) : [source]));
  for (const source of sources) assert.ok(included.some((file) => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`)), `the context holds ${source}`);
  for (const secret of ['.git/HEAD', 'node_modules/lru-cache/package.json', 'examples/deploy/.env.production', '.env', 'dist/src/index.js', 'README.md', 'test/kit/kit.test.ts']) {
    assert.not.ok(included.includes(secret), `${secret} stays out of the context`);
  }
});

test('the runtime image ships every package the app and the CLI import or require', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; optionalDependencies: Record<string, string> };
  const dockerfile = readFileSync(`${kit}/Dockerfile`, 'utf8');
  const promoted = promotedPackages(dockerfile);
  for (const name of promoted) assert.ok(manifest.devDependencies[name], `${name} is pinned by package-lock.json as a devDependency`);
  // `npm install --omit=dev` installs optional dependencies unless they are omitted too, and the
  // runtime manifest keeps them: the PNG rasteriser is in the image.
  const install = /npm install [^\n&]*/.exec(dockerfileStages(dockerfile).get('prod-deps') ?? '')?.[0] ?? '';
  assert.match(install, /--omit=dev/);
  assert.not.match(install, /--omit=optional|--no-optional/, 'optional dependencies are installed');
  assert.not.match(readFileSync(`${kit}/runtime-manifest.mjs`, 'utf8'), /'optionalDependencies'/, 'the runtime manifest keeps optionalDependencies');
  const shipped = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.optionalDependencies), ...promoted]);
  const imported = importsFrom(['examples/demo/server.ts', 'examples/demo/export-companies.ts', 'src/cli/index.ts']);
  for (const name of imported) assert.ok(shipped.has(name), `${name} is imported at run time but not in the image's production dependencies`);
  for (const name of ['better-sqlite3', 'nunjucks', 'handlebars', 'liquidjs', 'ejs', 'pug', 'eta', 'lru-cache', '@resvg/resvg-js']) assert.ok(imported.has(name), `the walk finds ${name}`);
});

test('the runtime image holds the package\'s font subsets where the compiled package looks for them', () => {
  const app = dockerfileStages(readFileSync(`${kit}/Dockerfile`, 'utf8')).get('app') ?? '';
  const workdir = /^WORKDIR (\S+)$/m.exec(app)?.[1] ?? '/';
  const copied = /^COPY fonts (\S+)$/m.exec(app)?.[1];
  assert.ok(copied !== undefined, 'the app stage copies fonts/ from the context');
  // src/avatars/png/fonts.ts looks three and four folders up from dist/src/avatars/png/.
  const compiled = path.posix.join(workdir, 'dist/src/avatars/png');
  const candidates = ['../../../fonts', '../../../../fonts'].map((up) => path.posix.join(compiled, up));
  assert.ok(candidates.includes(path.posix.resolve(workdir, copied)), `fonts copied to ${path.posix.resolve(workdir, copied)}, not one of ${candidates.join(', ')}`);
  assert.match(readFileSync('src/avatars/png/fonts.ts', 'utf8'), /for \(const up of \['\.\.\/\.\.\/\.\.\/fonts\/', '\.\.\/\.\.\/\.\.\/\.\.\/fonts\/'\]\)/, 'where fonts.ts looks');
  for (const file of ['OFL.txt', 'NotoSans-Bold.initials.ttf']) assert.ok(existsSync(`fonts/${file}`), `fonts/${file}`);
});

/**
 * Bare package names imported (statically or dynamically), or required through `createRequire`
 * (`require('…')`, `requireHere.resolve('…')`), by the files reachable from `entries`.
 */
function importsFrom(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = entries.map((entry) => path.resolve(entry));
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|\b\w*[rR]equire\w*(?:\.resolve)?\(\s*'([^']+)'\s*\)/gm)) {
      const specifier = (match[1] ?? match[2] ?? match[3]) as string;
      if (match[0].trimStart().startsWith('import type') || match[0].trimStart().startsWith('export type')) continue;
      if (specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) queue.push(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string));
    }
  }
  return packages;
}

test.run();
