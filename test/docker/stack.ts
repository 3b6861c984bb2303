/**
 * The deployed stack as the container test drives it: commands (Debian's /usr/bin/docker, the
 * kit's deploy.sh) with their output kept under test-results/docker/, compose with the kit's own
 * files plus the test's host-network layer, and HTTP on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';

export { http, logoForm } from '../e2e/http.js';

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
  return ['compose', '--project-directory', path.join(stack.repo, KIT), '--env-file', stack.envFile, '-f', path.join(stack.repo, KIT, 'docker-compose.production.yaml'), '-f', path.join(stack.repo, OVERRIDE)];
}

export const compose = (stack: Stack, args: readonly string[], options: Parameters<typeof run>[2] = {}): Promise<Ran> => docker([...composeArgs(stack), ...args], options);

/** The kit's deploy.sh, as an operator runs it, with the test's layer (`--override`) and env file. */
export async function deploy(stack: Stack, name: string, extra: string[] = []): Promise<Ran & { output: string }> {
  const ran = await run('bash', [path.join(KIT, 'deploy.sh'), '--env-file', stack.envFile, '--override', OVERRIDE, ...extra], { log: path.join(stack.out, `deploy-${name}.log`), cwd: stack.repo });
  return { ...ran, output: ran.stdout + ran.stderr };
}

/** The README's shell blocks marked `<!-- test:docker NAME -->` right above them, by name. */
export function readmeBlocks(readme: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- test:docker ([\w-]+) -->\s*\n```(?:sh|bash|console)\n([\s\S]*?)```/g)) blocks.set(match[1] as string, match[2] as string);
  return blocks;
}

export const readText = (file: string): string => readFileSync(file, 'utf8');
