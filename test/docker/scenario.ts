/**
 * The container test's story (issue 10 §1), with the kit's own files and a real Docker engine
 * (test/docker/run.sh starts it and makes the base images): deploy with deploy.sh, upload a logo,
 * redeploy keeping the volumes, lose the media volume, restore it as the README says — then the
 * kit's defects, each checked where only a running stack can show it. Prints `N passed, N failed`.
 *
 *   DOCKER_TEST_OUT=test-results/docker DOCKER_TEST_STATE=<scratch dir> node --import tsx test/docker/scenario.ts
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { MAX_LOGO_BYTES } from '../../examples/demo/upload.js';
import { solidPng } from '../demo/images.js';
import { freePort } from '../e2e/processes.js';
import { launchChromium } from '../e2e/browser.js';
import { Checks } from './checks.js';
import { checkPages, checkPngColumn, screenshot } from './pages.js';
import { replicas } from './replicas.js';
import { compose, composeArgs, deploy, docker, http, KIT, keyOnPage, logoForm, pageAt, readmeBlocks, run, uploadAt, VOLUMES, writeEnvFile, type Stack } from './stack.js';

const repo = process.cwd();
const out = path.resolve(process.env.DOCKER_TEST_OUT ?? 'test-results/docker');
const state = process.env.DOCKER_TEST_STATE ?? '';
if (state === '' || !existsSync(state)) throw new Error('DOCKER_TEST_STATE must name the run\'s scratch folder (test/docker/run.sh sets it)');
const checks = new Checks(path.join(out, 'scenario.log'));
const LOGO_DIR = '/srv/media/base/company/icon';

const envFile = (name: string, settings: Record<string, string>): string => writeEnvFile(state, name, settings);
const fixture = (key: string): Buffer => readFileSync(path.join('fixtures/media', key));
const page = (stack: Stack, query = ''): Promise<string> => pageAt(stack.base, query);
const upload = (stack: Stack, id: number, png: Buffer): ReturnType<typeof uploadAt> => uploadAt(stack.base, id, png);

/** Each security header nginx sets appears exactly once. */
function headersOnce(name: string, answer: Awaited<ReturnType<typeof http>>): void {
  for (const header of ['x-content-type-options', 'x-frame-options', 'referrer-policy']) checks.is(`${name}: ${header} once`, answer.header(header).length, 1);
}

async function main(): Promise<void> {
  const httpPort = await freePort();
  const appPort = await freePort();
  const settings = { HTTP_PORT: String(httpPort), HOST: '127.0.0.1', PORT: String(appPort) };
  const stack: Stack = {
    repo,
    out,
    state,
    envFile: envFile('test.env', settings),
    settings,
    httpPort,
    base: `http://127.0.0.1:${httpPort}`,
  };
  checks.log(`nginx on 127.0.0.1:${httpPort}, the app on 127.0.0.1:${appPort}; logs and screenshots in ${path.relative(repo, out)}/`);
  let browser: BrowserContext | undefined;
  const keys: { initech?: string | undefined; acme?: string | undefined } = {};
  const upload48 = solidPng(48, [200, 40, 120]);

  const steps: Array<[string, () => Promise<void>]> = [
    ['0. The kit\'s files, read by the engine: compose config, the build context', () => staticChecks(stack)],
    [
      '1. First deploy with deploy.sh: healthy, the seeded logo served by nginx with the kit\'s headers',
      async () => {
        for (const volume of VOLUMES) checks.ok(`${volume} does not exist yet`, (await docker(['volume', 'inspect', volume])).code !== 0);
        const first = await deploy(stack, '1-first');
        checks.is('deploy.sh exits 0', first.code, 0);
        checks.ok('built with BuildKit, offline (no "# syntax" frontend fetched, no base image pulled)', /^#\d+ \[app internal\] load build definition/m.test(first.output) && !/docker\/dockerfile/.test(first.output), first.output.slice(0, 2000));
        checks.ok('deploy.sh created both volumes', VOLUMES.every((volume) => first.output.includes(`volume create ${volume}`) || first.output.includes(volume)));
        checks.ok('deploy.sh checked the page\'s logo through nginx', first.output.includes(`ok: ${stack.base}/media/base/company/icon/acme.png answered 200 image/png`), first.output.slice(-3000));
        checks.ok('the doctor, in the container, finds media and data on their own mounts', /ok +media +mount +\/srv\/media is on its own mount/.test(first.output) && /ok +data +mount +\/srv\/data is on its own mount/.test(first.output));
        checks.ok('the doctor passes', first.output.includes('No check failed.'));
        const networks = (await docker(['network', 'ls', '--format', '{{.Name}} {{.Driver}}'])).stdout.trim().split('\n').sort();
        checks.ok('no network but host and none: no bridge carries traffic', networks.every((line) => /^(host host|none null)$/.test(line)), networks.join(', '));
        const logo = await http(`${stack.base}/media/base/company/icon/acme.png`);
        checks.is('the seeded logo: 200', logo.status, 200);
        checks.ok('the seeded logo: byte-identical', logo.body.equals(fixture('base/company/icon/acme.png')));
        checks.ok('the seeded logo: image/png, nosniff once, a sandbox CSP, cached 7 days, no X-Accel-Redirect leaked', logo.header('content-type')[0] === 'image/png' && logo.header('x-content-type-options').join() === 'nosniff' && /sandbox/.test(logo.header('content-security-policy').join()) && /max-age=604800/.test(logo.header('cache-control').join()) && logo.header('x-accel-redirect').length === 0, logo.headers.join(' | '));
        checks.is('the internal location cannot be requested', (await http(`${stack.base}/_protected_media/base/company/icon/acme.png`)).status, 404);
        headersOnce('the page', await http(`${stack.base}/`));
        headersOnce('/healthz', await http(`${stack.base}/healthz`));
        await imageChecks();
        await checkPngColumn(checks, stack.base);
        await containerRootChecks(stack);
        const big = logoForm(Buffer.concat([solidPng(4, [0, 0, 0]), Buffer.alloc(MAX_LOGO_BYTES)]), 'big.png');
        const refused = await http(`${stack.base}/companies/1/logo`, { method: 'POST', headers: big.headers, body: big.body });
        checks.ok('a logo over 5 MiB through nginx: 413 with the app\'s message, not nginx\'s page', refused.status === 413 && refused.body.toString().includes('Acme Corp: The file is larger than 5 MB.'), `${refused.status} ${refused.body.toString().slice(0, 200)}`);
        browser = await launchChromium(path.join(state, 'chromium'));
        await screenshot(browser, `${stack.base}/?company=1`, path.join(out, '1-first-deploy.png'));
      },
    ],
    [
      '2. Upload a PNG through the app: the page shows it, served byte-identical',
      async () => {
        const initech = await upload(stack, 3, upload48);
        checks.ok('upload for Initech: 303 to its page', initech.status === 303 && initech.location === '/?company=3&uploaded=1', JSON.stringify(initech));
        checks.ok('the page shows the upload under a generated name', /^base\/company\/icon\/[0-9a-f-]{36}\.png$/.test(initech.key ?? ''), initech.key);
        keys.initech = initech.key;
        checks.ok('served byte-identical', (await http(`${stack.base}/media/${keys.initech}`)).body.equals(upload48));
        const shown = await checkPages(checks, browser as BrowserContext, stack.base, [3], path.join(out, '2-uploaded.png'));
        checks.is('Chromium draws the upload itself (48 px), not an avatar', shown.widths.get(3), 48);
        const acme = await upload(stack, 1, solidPng(40, [10, 10, 10]));
        checks.is('Acme\'s logo replaced: 303', acme.status, 303);
        keys.acme = acme.key;
        const listing = (await compose(stack, ['exec', '-T', 'app', 'ls', LOGO_DIR])).stdout;
        checks.ok('the replaced acme.png is removed from the volume (no orphan)', !listing.includes('acme.png') && listing.includes(path.basename(keys.acme ?? '?')), listing);
      },
    ],
    [
      '3. Redeploy keeping the volumes (down -v, rebuild, up, deploy.sh): the same bytes',
      async () => {
        const before = (await compose(stack, ['ps', '-q', 'app'])).stdout.trim();
        checks.is('compose down -v', (await compose(stack, ['down', '-v'], { log: path.join(out, 'compose.log') })).code, 0);
        for (const volume of VOLUMES) checks.is(`${volume} survives down -v (external)`, (await docker(['volume', 'inspect', volume])).code, 0);
        const again = await deploy(stack, '3-redeploy');
        checks.is('deploy.sh exits 0, though acme.png is gone (it checks what the page shows, not a fixed file)', again.code, 0);
        checks.ok('"volume … exists: kept"', again.output.includes('volume logo_fallback_media exists: kept'));
        const after = (await compose(stack, ['ps', '-q', 'app'])).stdout.trim();
        checks.ok('a new app container', after !== '' && after !== before);
        const html = await page(stack, '?company=3');
        checks.is('the page still shows the upload', keyOnPage(html, 3), keys.initech);
        checks.ok('the upload, served byte-identical after the redeploy', (await http(`${stack.base}/media/${keys.initech}`)).body.equals(upload48));
        checks.is('Acme\'s new logo too', keyOnPage(html, 1), keys.acme);
        const shown = await checkPages(checks, browser as BrowserContext, stack.base, [3], path.join(out, '3-redeployed.png'));
        checks.is('Chromium draws the upload after the redeploy (48 px)', shown.widths.get(3), 48);
      },
    ],
    [
      '4. Back up the media volume, lose it, redeploy: avatars everywhere, no 404, deploy.sh fails with a reason, the audit in the app container lists the loss',
      async () => {
        const blocks = readmeBlocks(readFileSync('README.md', 'utf8'));
        const backup = blocks.get('backup');
        checks.ok('the README has the back-up commands', backup !== undefined);
        const saved = await run('bash', ['-euo', 'pipefail', '-c', backup ?? 'false'], { cwd: state, log: path.join(out, 'backup.log') });
        checks.is('the README\'s back-up commands run', saved.code, 0);
        const listing = (await run('tar', ['-tf', path.join(state, 'media-backup.tar')])).stdout;
        checks.ok('the backup holds the upload', listing.includes(path.basename(keys.initech ?? '?')), listing);
        await compose(stack, ['down'], { log: path.join(out, 'compose.log') });
        checks.is('the media volume is lost', (await docker(['volume', 'rm', 'logo_fallback_media'])).code, 0);
        const since = new Date().toISOString();
        const lost = await deploy(stack, '4-media-lost');
        checks.ok('deploy.sh exits non-zero', lost.code !== 0 && lost.code !== null, String(lost.code));
        checks.ok('with the reason: an empty media root while records reference files', /FAIL +media +contents +\/srv\/media holds no files, while records reference \d+: the volume is not mounted, or was lost/.test(lost.output), lost.output.slice(-2500));
        checks.ok('and the last line says why it failed', /deploy\.sh: logo-fallback doctor found a problem with the media/.test(lost.stderr.trim().split('\n').at(-1) ?? ''));
        const hint = /List what is lost:\n {2}(.+)\n/.exec(lost.output)?.[1];
        checks.ok('it prints a command that lists what is lost', hint?.includes('logo-fallback audit') === true, hint);
        const audit = await run('bash', ['-c', hint ?? 'false'], { log: path.join(out, 'audit-in-container.log') });
        checks.is('that command, run as printed (in the app container): exit 1, the list (the brake is off: --max-missing 1)', audit.code, 1);
        checks.ok('… no "stopped"', !/stopped/.test(audit.stderr), audit.stderr);
        // The table cuts long references; the same command with --json has them whole.
        const json = await run('bash', ['-c', (hint ?? 'false').replace('logo-fallback audit ', 'logo-fallback audit --json ')], { log: path.join(out, 'audit-in-container.log') });
        let listed: Array<{ reference: string; reason: string }> = [];
        try {
          listed = (JSON.parse(json.stdout) as { problems: Array<{ reference: string; reason: string }> }).problems;
        } catch (error) {
          checks.ok('the audit\'s --json output parses', false, `${(error as Error).message}: ${json.stdout.slice(0, 500)}`);
        }
        for (const key of [keys.initech, keys.acme]) checks.ok(`the audit lists ${key} as missing`, listed.some((problem) => problem.reference === key && problem.reason === 'missing'), json.stdout);
        checks.is('the table lists as many as the JSON', audit.stdout.split('\n').filter((line) => /\smissing$/.test(line)).length, listed.filter((problem) => problem.reason === 'missing').length);
        checks.is('the stack serves: /healthz through nginx', (await http(`${stack.base}/healthz`)).status, 200);
        const pages = await checkPages(checks, browser as BrowserContext, stack.base, [1, 2, 3, 4], path.join(out, '4-media-lost.png'));
        checks.ok('Initech and Acme fall back to their avatars (data: URLs)', pages.sources.get(3)?.startsWith('data:image/') === true && pages.sources.get(1)?.startsWith('data:image/') === true);
        const web = await compose(stack, ['logs', '--no-color', '--since', since, 'web']);
        writeFileSync(path.join(out, 'nginx-after-loss.log'), web.stdout + web.stderr);
        checks.ok('nginx logged no image request answered 404', !/"GET [^"]*\.(png|jpe?g|webp|gif)[^"]*" 404/.test(web.stdout), web.stdout.slice(-2000));
      },
    ],
    [
      '5. Restore the backup as the README says: the logo is back',
      async () => {
        const restore = readmeBlocks(readFileSync('README.md', 'utf8')).get('restore');
        checks.ok('the README has the restore commands', restore !== undefined);
        const restored = await run('bash', ['-euo', 'pipefail', '-c', restore ?? 'false'], { cwd: state, log: path.join(out, 'restore.log') });
        checks.is('the README\'s restore commands run', restored.code, 0);
        const back = await deploy(stack, '5-restored');
        checks.is('deploy.sh exits 0 again', back.code, 0);
        checks.ok('the upload is served byte-identical', (await http(`${stack.base}/media/${keys.initech}`)).body.equals(upload48));
        const shown = await checkPages(checks, browser as BrowserContext, stack.base, [3], path.join(out, '5-restored.png'));
        checks.is('Chromium draws the restored logo (48 px)', shown.widths.get(3), 48);
        const owner = (await compose(stack, ['exec', '-T', 'app', 'stat', '-c', '%u:%g', LOGO_DIR])).stdout.trim();
        checks.is('the restored folders belong to the app\'s user', owner, '10001:10001');
        await rootOwnedRestore(stack);
      },
    ],
    ['6. MEDIA_ROOT and DATA_DIR elsewhere, on fresh volumes: the app can write them', () => elsewhere(stack)],
    ['7. Several replicas (docker-compose.replicas.yaml): Redis built from the kit\'s Dockerfile, two app processes on the volumes, an upload through one shown by the other and through nginx', () => replicas(checks, stack)],
  ];

  let stopped = false;
  try {
    for (const [title, work] of steps) {
      if (stopped) checks.notRun(title);
      else stopped = !(await checks.step(title, work));
    }
  } finally {
    await browser?.close().catch(() => undefined);
    const logs = await compose(stack, ['logs', '--no-color', '--timestamps']);
    writeFileSync(path.join(out, 'containers.log'), logs.stdout + logs.stderr);
    await compose(stack, ['down', '--remove-orphans'], { log: path.join(out, 'compose.log') });
    for (const volume of VOLUMES) await docker(['volume', 'rm', '-f', volume]);
  }
}

/** §2.3, §2.5: what the engine itself reads — the compose files with another env file, and the build context. */
async function staticChecks(stack: Stack): Promise<void> {
  checks.is('docker compose config accepts the kit with the run\'s env file', (await compose(stack, ['config', '--quiet'])).code, 0);
  const elsewhereEnv = envFile('config-elsewhere.env', { MEDIA_ROOT: '/var/lib/logo-media', DATA_DIR: '/var/lib/logo-data' });
  const config = await docker([...composeArgs({ ...stack, envFile: elsewhereEnv }), 'config', '--format', 'json']);
  const parsed = JSON.parse(config.stdout || '{}') as { services?: Record<string, { environment?: Record<string, string>; volumes?: Array<{ source: string; target: string }>; command?: string[] }> };
  const app = parsed.services?.app;
  checks.ok('with another --env-file: the app\'s MEDIA_ROOT is where the media volume is mounted', app?.environment?.MEDIA_ROOT === '/var/lib/logo-media' && app.volumes?.some((v) => v.source === 'media' && v.target === '/var/lib/logo-media') === true, JSON.stringify(app));
  checks.ok('… and DATA_DIR where the data volume is', app?.environment?.DATA_DIR === '/var/lib/logo-data' && app.volumes?.some((v) => v.source === 'data' && v.target === '/var/lib/logo-data') === true);
  checks.ok('… and volumes-init hands both to the app\'s user', parsed.services?.['volumes-init']?.command?.join(' ') === 'chown app:app /var/lib/logo-media /var/lib/logo-data');

  // The build context, as a builder receives it: a scratch image of `COPY . /context/`.
  const planted = path.join(KIT, '.env.production');
  const plant = !existsSync(planted);
  if (plant) writeFileSync(planted, 'SECRET=must-not-reach-a-builder\n');
  try {
    const built = await docker(['build', '--pull=false', '-t', 'logo-fallback-context-probe', '-f', '-', '.'], { input: 'FROM scratch\nCOPY . /context/\n', log: path.join(out, 'context-probe.log') });
    checks.is('a probe image of the build context builds', built.code, 0);
    const [, amount = 'NaN', unit = 'B'] = /load build context\n#\d+ transferring context: ([\d.]+)\s*([kMG]?B)/.exec(built.stdout + built.stderr) ?? [];
    const bytes = Number(amount) * ({ B: 1, kB: 1e3, MB: 1e6, GB: 1e9 } as Record<string, number>)[unit]!;
    // About 1 MB of sources and lock file, and the 2.1 MB of font subsets PNG avatars are drawn with.
    checks.ok(`the build context is small: ${amount} ${unit} (the repository with node_modules is hundreds of MB)`, bytes > 0 && bytes < 4e6);
    const created = await docker(['create', 'logo-fallback-context-probe', 'none']);
    const id = created.stdout.trim();
    const listing = (await run('sh', ['-c', `/usr/bin/docker export ${id} | tar -t`])).stdout.split('\n').map((line) => line.replace(/^context\//, ''));
    await docker(['rm', '-f', id]);
    await docker(['image', 'rm', '-f', 'logo-fallback-context-probe']);
    for (const file of ['package-lock.json', 'src/index.ts', 'examples/demo/server.ts', 'fixtures/media/base/company/icon/acme.png', 'examples/deploy/nginx.conf', 'fonts/OFL.txt']) checks.ok(`the context holds ${file}`, listing.includes(file));
    for (const prefix of ['.git/', 'node_modules/', 'test/', 'dist/', 'test-results/', 'README.md', 'examples/deploy/.env.production']) {
      checks.ok(`the context holds no ${prefix}`, !listing.some((file) => file === prefix || file.startsWith(prefix)), listing.filter((file) => file.startsWith(prefix)).slice(0, 5).join(', '));
    }
  } finally {
    if (plant) rmSync(planted, { force: true });
  }
}

/** §2.11: the runtime image holds compiled JavaScript and production dependencies, run by 10001:10001. */
async function imageChecks(): Promise<void> {
  const image = 'logo-fallback-demo-app:latest';
  const id = (await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'id', image])).stdout.trim();
  checks.ok('the app runs as uid 10001, gid 10001 (fixed, documented)', id.startsWith('uid=10001(app) gid=10001(app)'), id);
  const modules = (await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'ls', image, 'node_modules', 'node_modules/.bin'])).stdout.split(/\s+/);
  for (const dev of ['typescript', 'tsx', 'playwright-core', '@11ty', 'esbuild', 'uvu', 'fast-check', 'tsc']) checks.ok(`no ${dev} in the image`, !modules.includes(dev));
  for (const prod of ['better-sqlite3', 'nunjucks', 'handlebars', 'liquidjs', 'ejs', 'pug', 'eta', 'lru-cache', '@resvg']) checks.ok(`${prod} in the image`, modules.includes(prod));
  const cmd = (await docker(['image', 'inspect', '--format', '{{json .Config.Cmd}}', image])).stdout.trim();
  checks.is('it runs compiled JavaScript', cmd, '["node","dist/examples/demo/server.js"]');
  const size = async (name: string): Promise<number> => Number((await docker(['image', 'inspect', '--format', '{{.Size}}', name])).stdout.trim());
  const added = (await size(image)) - (await size('node:20-bookworm-slim'));
  checks.log(`    the app image adds ${(added / 1024 / 1024).toFixed(1)} MiB to its base image`);
  checks.ok('the app adds under 80 MiB to its base image (it was 451 MB with the dev dependencies)', added > 0 && added < 80 * 1024 * 1024, String(added));
}

/** §3 on a real container: a directory on the container's own filesystem fails the doctor. */
async function containerRootChecks(stack: Stack): Promise<void> {
  const doctor = await compose(stack, ['exec', '-T', 'app', 'sh', '-c', 'mkdir -p /tmp/uploads && logo-fallback doctor --media-root /tmp/uploads']);
  checks.is('the doctor on a folder of the container\'s own filesystem: exit 1', doctor.code, 1);
  checks.ok('… saying the files are lost at the next deploy', /FAIL +media +mount +\/tmp\/uploads is on the container's own filesystem \(overlay\): files written here are lost at the next deploy/.test(doctor.stdout), doctor.stdout);
}

/** §3: a restore run as root leaves a folder the app cannot write: /healthz and the doctor say so; the README's chown fixes it. */
async function rootOwnedRestore(stack: Stack): Promise<void> {
  await compose(stack, ['exec', '-T', '-u', '0', 'app', 'chown', '0:0', LOGO_DIR]);
  const health = await http(`${stack.base}/healthz`);
  checks.ok('a root-owned logo folder: /healthz answers 503 with the reason', health.status === 503 && health.body.toString().includes(`uploads cannot be written: ${LOGO_DIR} (create: EACCES; owner uid 0 (root)`), `${health.status} ${health.body.toString()}`);
  const doctor = await compose(stack, ['exec', '-T', 'app', 'logo-fallback', 'doctor', '--media-root', '/srv/media']);
  checks.ok('… and the doctor fails, naming it and the fix', doctor.code === 1 && doctor.stdout.includes(LOGO_DIR) && doctor.stdout.includes('Fix: chown -R 10001:10001 /srv/media'), doctor.stdout);
  await compose(stack, ['exec', '-T', '-u', '0', 'app', 'chown', '-R', '10001:10001', '/srv/media']);
  checks.is('after the fix: /healthz 200', (await http(`${stack.base}/healthz`)).status, 200);
}

/** §2.6: volumes mounted outside /srv work too — fresh ones, root-owned until volumes-init hands them over. */
async function elsewhere(stack: Stack): Promise<void> {
  await compose(stack, ['down'], { log: path.join(out, 'compose.log') });
  for (const volume of VOLUMES) await docker(['volume', 'rm', volume]);
  const moved: Stack = { ...stack, envFile: envFile('elsewhere.env', { ...stack.settings, MEDIA_ROOT: '/var/lib/logo-media', DATA_DIR: '/var/lib/logo-data' }) };
  const deployed = await deploy(moved, '6-elsewhere');
  checks.is('deploy.sh exits 0', deployed.code, 0);
  checks.ok('the doctor finds /var/lib/logo-media on its own mount and writable', /ok +media +mount +\/var\/lib\/logo-media is on its own mount/.test(deployed.output) && /ok +media +writable +uid 10001/.test(deployed.output), deployed.output.slice(-2500));
  const owner = (await compose(moved, ['exec', '-T', 'app', 'stat', '-c', '%u:%g', '/var/lib/logo-media', '/var/lib/logo-data'])).stdout.trim().split('\n');
  checks.ok('both mount points belong to 10001:10001', owner.length === 2 && owner.every((line) => line === '10001:10001'), owner.join(' '));
  const png = solidPng(24, [1, 90, 30]);
  const uploaded = await upload(moved, 2, png);
  checks.is('an upload works', uploaded.status, 303);
  checks.ok('and is served', (await http(`${moved.base}/media/${uploaded.key}`)).body.equals(png));
  const files = (await compose(moved, ['exec', '-T', 'app', 'ls', '/var/lib/logo-media/base/company/icon'])).stdout;
  checks.ok('it landed on the volume at MEDIA_ROOT', files.includes(path.basename(uploaded.key ?? '?')), files);
}

main()
  .catch((error: unknown) => checks.ok('the scenario ran', false, error instanceof Error ? (error.stack ?? error.message) : String(error)))
  .finally(() => {
    checks.log(`\n${checks.verdict()}`);
    if (checks.failures.length > 0) checks.log(`failed: ${checks.failures.join('; ')}`);
    process.exitCode = checks.failed === 0 ? 0 : 1;
  });
