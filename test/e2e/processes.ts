/**
 * The pieces of a deployment, as real processes on 127.0.0.1: the demo app (as its container would
 * run it) and nginx with the kit's own nginx.conf, its paths and ports rewritten for a test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * The nginx binary: on PATH, or Debian's /usr/sbin/nginx (not on a normal user's PATH). `undefined`
 * when nginx is not installed.
 */
export function nginxBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined;
}

/** A port that was free a moment ago (nginx cannot listen on port 0 and tell us which it got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A child process with its output kept, for the failure message. */
export interface Running {
  readonly output: () => string;
  stop(): Promise<void>;
}

function track(child: ChildProcess, name: string): Running {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => `--- ${name} ---\n${output}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitFor(url: string, running: Running, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${seconds}s\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts the demo app as its own process (`node --import tsx examples/demo/server.ts`; the image
 * runs the same code compiled). `uid` runs it as that user and group, as the container's app user
 * (the tests run as root, who may write anywhere).
 */
export async function startApp(env: Record<string, string>, options: { uid?: number } = {}): Promise<Running & { url: string }> {
  const port = await freePort();
  const node = [process.execPath, '--import', 'tsx', 'examples/demo/server.ts'];
  const command = options.uid === undefined ? node : ['setpriv', `--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups', ...node];
  const child = spawn(command[0] as string, command.slice(1), {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = track(child, 'app');
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, running);
  return { ...running, url };
}

/** Replaces `from` by `to` in `text`, insisting that it occurs exactly once (the kit and the test must not drift). */
function replaceOnce(text: string, from: string, to: string): string {
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`nginx.conf: expected "${from}" once, found it ${count} times`);
  return text.replace(from, to);
}

/** The kit's nginx.conf with the ports and paths of this test, in `prefix`. */
export function rewriteNginxConf(conf: string, options: { prefix: string; port: number; appUrl: string; mediaRoot: string; staticDir: string }): string {
  const { prefix } = options;
  let text = conf;
  text = replaceOnce(text, 'error_log stderr warn;', `daemon off;\npid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log warn;`);
  text = replaceOnce(text, 'access_log /dev/stdout;', `access_log ${prefix}/access.log;`);
  text = replaceOnce(
    text,
    'http {',
    `http {\n    client_body_temp_path ${prefix}/body;\n    proxy_temp_path ${prefix}/proxy;\n    fastcgi_temp_path ${prefix}/fastcgi;\n    uwsgi_temp_path ${prefix}/uwsgi;\n    scgi_temp_path ${prefix}/scgi;`,
  );
  text = replaceOnce(text, 'listen 80 default_server;', `listen 127.0.0.1:${options.port} default_server;`);
  text = replaceOnce(text, 'set $app http://app:3000;', `set $app ${options.appUrl};`);
  text = replaceOnce(text, 'alias /srv/media/;', `alias ${options.mediaRoot}/;`);
  text = replaceOnce(text, 'alias /srv/static/;', `alias ${options.staticDir}/;`);
  return text;
}

/** How the kit's nginx serves /media/ (NGINX_MEDIA): through the app and X-Accel-Redirect, or straight from the volume. */
export type MediaMode = 'accel' | 'direct';
export const MEDIA_MODES: readonly MediaMode[] = ['accel', 'direct'];

/**
 * Starts nginx (not as a daemon) from the kit's conf, in front of `appUrl`, serving `mediaRoot`;
 * the media mode's file beside it as media-mode.conf, as the web image's build puts it.
 */
export async function startNginx(options: { prefix: string; appUrl: string; mediaRoot: string; kitConf: string; staticDir: string; mode?: MediaMode }): Promise<Running & { url: string }> {
  const port = await freePort();
  mkdirSync(options.prefix, { recursive: true });
  const conf = path.join(options.prefix, 'nginx.conf');
  writeFileSync(conf, rewriteNginxConf(readFileSync(options.kitConf, 'utf8'), { ...options, port }));
  copyFileSync(path.join(path.dirname(options.kitConf), `nginx-media-${options.mode ?? 'accel'}.conf`), path.join(options.prefix, 'media-mode.conf'));
  const child = spawn(nginxBinary() ?? 'nginx', ['-p', options.prefix, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const running = track(child, 'nginx');
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, {
    output: () => `${running.output()}\n${(() => {
      try {
        return readFileSync(path.join(options.prefix, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    })()}`,
    stop: running.stop,
  });
  return { ...running, url };
}
