/**
 * A script is not kept alive by checks nobody waits for (issue 8 §1, "the process cannot exit"):
 * `await logos.fileUrlAsync(…)` against a storage that never answers gives the avatar at the
 * render's `timeout`, and the process then exits — not when the hung request is aborted at
 * `cache.hardTimeout` (60 s here). While a caller does wait (a render within its `timeout`,
 * `prefetch()`), the process waits with it. And an aborted check's connection is closed, not pooled.
 *
 * Each script runs in a child process against a server in this one (127.0.0.1, a free port). The
 * children's deadlines are 60 s; a child still running after 20 s is killed and fails the test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, httpStorage, type LogoFallbackError } from '../src/index.js';
import { mediaServer, type MediaServer } from './cache-servers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INDEX = path.join(ROOT, 'src/index.ts');
const scratch = mkdtempSync(path.join(tmpdir(), 'exit-promptly-'));
const CEILING = 20_000;

/** The storages under test, as code for the child: both keep-alive drivers. */
const STORAGES = {
  http: (origin: string) => `httpStorage({ baseUrl: '${origin}/media/', timeout: 60_000 })`,
  s3: (origin: string) =>
    `s3Storage({ endpoint: '${origin}', region: 'us-east-1', bucket: 'media', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true, timeout: 60_000 })`,
};

/** Runs `body` in a child with `logos` made for `storage`; its stdout, exit code, and whether it ended by itself. */
async function runChild(storage: string, body: string): Promise<{ out: string; code: number | null; killed: boolean }> {
  const script = path.join(scratch, `child-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(
    script,
    `import { createLogoResolver, httpStorage, s3Storage } from ${JSON.stringify(INDEX)};
const logos = createLogoResolver({ storage: ${storage}, timeout: 300, cache: { hardTimeout: 60_000 }, onError: () => {} });
${body}
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, CEILING);
  try {
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    return { out: out.trim(), code, killed };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function withServer(run: (server: MediaServer) => Promise<void>): Promise<void> {
  const server = await mediaServer();
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

for (const [name, storageOf] of Object.entries(STORAGES)) {
  test(`${name}: a hung check does not keep a script alive once its caller has the avatar (async and sync calls)`, async () => {
    await withServer(async (server) => {
      server.delay = 'hang';
      for (const body of [
        "console.log(await logos.fileUrlAsync('a.png', 'Acme Corp'));",
        "console.log(logos.fileUrl('a.png', 'Acme Corp'));", // a sync render: the check runs in the background only
        "console.log(await logos.logoAsync({ company: 'Acme Corp', icon: 'a.png' }));",
      ]) {
        const before = server.checks();
        const { out, code, killed } = await runChild(storageOf(server.origin), body);
        assert.not.ok(killed, `${body}: the child was still running after ${CEILING} ms (hardTimeout is 60 s)`);
        assert.is(code, 0, body);
        assert.match(out, /^data:image\/svg\+xml,/, 'the avatar');
        assert.is(server.checks(), before + 1, 'the check reached the server');
      }
    });
  });

  test(`${name}: a caller who waits keeps the process until the answer — a slow storage within the timeout, prefetch()`, async () => {
    await withServer(async (server) => {
      server.files.add('a.png');
      server.delay = 800;
      for (const [body, expected] of [
        [
          "const l = createLogoResolver({ storage: logos.storage, timeout: 5_000, cache: { hardTimeout: 60_000 } }); console.log(await l.fileUrlAsync('a.png', 'Acme Corp'));",
          /\/media\/a\.png(\?|$)/,
        ],
        ["await logos.prefetch(['a.png'], { files: true }); console.log(logos.fileUrl('a.png', 'Acme Corp'));", /\/media\/a\.png(\?|$)/],
      ] as const) {
        const { out, code, killed } = await runChild(storageOf(server.origin), body);
        assert.not.ok(killed, body);
        assert.is(code, 0, `${body}: exit code ${code} (13 is a top-level await left unsettled: the process did not wait)`);
        assert.match(out, expected, `${body}: ${out}`);
      }
    });
  });
}

test('an aborted check closes its connection: the hung socket is destroyed, the next check opens a new one', async () => {
  await withServer(async (server) => {
    server.files.add('a.png');
    server.delay = 'hang';
    const errors: LogoFallbackError[] = [];
    const logos = createLogoResolver({ storage: httpStorage({ baseUrl: server.baseUrl }), timeout: 50, cache: { hardTimeout: 300, missTtl: 1 }, onError: (error) => errors.push(error) });
    assert.match(await logos.fileUrlAsync('a.png', 'Acme'), /^data:/);
    await server.arrived(1);
    const deadline = Date.now() + 10_000;
    while (server.aborted.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(server.aborted, ['a.png'], 'the hung connection was closed when the check was aborted');
    assert.is(server.connections(), 1);
    assert.ok(errors.some((error) => error.code === 'TIMEOUT' && /hardTimeout/.test(error.message)), errors.map((e) => e.message).join(' | '));
    server.delay = 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(await logos.fileUrlAsync('a.png', 'Acme'), /\/a\.png$/);
    assert.is(server.connections(), 2, 'a new connection for the next check');
  });
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();
