/**
 * The deployed stack as the container test drives it: commands (Debian's /usr/bin/docker, the
 * kit's deploy.sh) with their output kept under test-results/docker/, compose with the kit's own
 * files plus the test's host-network layer, and HTTP on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { http, logoForm } from '../e2e/http.js';

export { http, logoForm };

/** Where things are, for one run. */
export interface Stack {
  repo: string;
  /** test-results/docker: logs and screenshots, kept. */
  out: string;
  /** A scratch folder of this run (env files, backups), removed by run.sh. */
  state: string;
  envFile: string;
  /** What the env file changes in the kit's example (ports, HOST). */
  settings: Record<string, string>;
  httpPort: number;
  /** http://127.0.0.1:<HTTP_PORT>, nginx. */
  base: string;
  /** More compose files after the test's own layer (the replicas phase), in order. */
  layers?: string[];
}

export const KIT = 'examples/deploy';
export const OVERRIDE = 'test/docker/compose.test.yaml';
export const VOLUMES = ['logo_fallback_media', 'logo_fallback_data'] as const;

/** What a command did. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of every command: Debian's docker first on PATH; BuildKit (through buildx), which
 * would fetch a frontend image if the Dockerfile had a `# syntax=` line — so the build itself
 * proves it has none.
 */
export function commandEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `/usr/bin:/bin:/usr/sbin:/sbin:${process.env.PATH ?? ''}`, DOCKER_BUILDKIT: '1', COMPOSE_DOCKER_CLI_BUILD: '1', ...extra };
}

/** Runs a command; its output also goes to `log` (a file under out/) when given. Never rejects for a non-zero exit. */
export function run(command: string, args: readonly string[], options: { log?: string; input?: string | Buffer; cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: commandEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const log = options.log === undefined ? undefined : createWriteStream(options.log, { flags: 'a' });
    log?.write(`$ ${[command, ...args].join(' ')}\n`);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => (out.push(chunk), log?.write(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (err.push(chunk), log?.write(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15 * 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      log?.end(`[exit ${code}]\n\n`);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.end(options.input);
  });
}

export const docker = (args: readonly string[], options: Parameters<typeof run>[2] = {}): Promise<Ran> => run('/usr/bin/docker', args, options);

/** The project's compose flags: the kit's file, the test's layer, the run's env file. */
export function composeArgs(stack: Stack): string[] {
  const layers = (stack.layers ?? []).flatMap((file) => ['-f', path.join(stack.repo, file)]);
  return ['compose', '--project-directory', path.join(stack.repo, KIT), '--env-file', stack.envFile, '-f', path.join(stack.repo, KIT, 'docker-compose.production.yaml'), '-f', path.join(stack.repo, OVERRIDE), ...layers];
}

export const compose = (stack: Stack, args: readonly string[], options: Parameters<typeof run>[2] = {}): Promise<Ran> => docker([...composeArgs(stack), ...args], options);

/** The kit's deploy.sh, as an operator runs it, with the test's layer (`--override`) and env file. */
export async function deploy(stack: Stack, name: string, extra: string[] = []): Promise<Ran & { output: string }> {
  const layers = (stack.layers ?? []).flatMap((file) => ['--override', file]);
  const ran = await run('bash', [path.join(KIT, 'deploy.sh'), '--env-file', stack.envFile, '--override', OVERRIDE, ...layers, ...extra], { log: path.join(stack.out, `deploy-${name}.log`), cwd: stack.repo });
  return { ...ran, output: ran.stdout + ran.stderr };
}

/** The README's shell blocks marked `<!-- test:docker NAME -->` right above them, by name. */
export function readmeBlocks(readme: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- test:docker ([\w-]+) -->\s*\n```(?:sh|bash|console)\n([\s\S]*?)```/g)) blocks.set(match[1] as string, match[2] as string);
  return blocks;
}

export const readText = (file: string): string => readFileSync(file, 'utf8');

/**
 * An env file of the run in `state`: the kit's example with `settings` (free ports, the app on
 * 127.0.0.1 for the host network); a setting the example lacks (the test layer's REDIS_PORT) is added.
 */
export function writeEnvFile(state: string, name: string, settings: Record<string, string>): string {
  let text = readFileSync(path.join(KIT, '.env.production.example'), 'utf8');
  for (const [key, value] of Object.entries(settings)) {
    const line = new RegExp(`^${key}=.*$`, 'm');
    text = line.test(text) ? text.replace(line, `${key}=${value}`) : `${text}${key}=${value}\n`;
  }
  const file = path.join(state, name);
  writeFileSync(file, text);
  return file;
}

/** The media key a page shows for a company (its Nunjucks cell), if it shows a file. */
export const keyOnPage = (html: string, id: number): string | undefined =>
  new RegExp(`<tr data-company-id="${id}">[\\s\\S]*?<td class="engine" data-engine="nunjucks">[\\s\\S]*?src="/media/([^"]*)"`).exec(html)?.[1];

/** The demo's page at `base` (nginx, or one replica). */
export async function pageAt(base: string, query = ''): Promise<string> {
  return (await http(`${base}/${query}`)).body.toString();
}

/** Uploads `png` as company `id`'s logo through `base`; the key its page then shows. */
export async function uploadAt(base: string, id: number, png: Buffer): Promise<{ status: number; location: string; key: string | undefined }> {
  const form = logoForm(png, `company-${id}.png`);
  const answer = await http(`${base}/companies/${id}/logo`, { method: 'POST', headers: form.headers, body: form.body });
  return { status: answer.status, location: answer.header('location')[0] ?? '', key: keyOnPage(await pageAt(base, `?company=${id}`), id) };
}
