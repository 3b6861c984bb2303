/** Readers of the kit's files for the static tests (test/kit) and the container test (test/docker). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Variables of .env.production.example that the deployment reads (compose, deploy.sh), not the app. */
export const DEPLOY_VARIABLES = ['HTTP_PORT', 'NGINX_MEDIA'] as const;

/** The variables .env.production.example sets, in order. */
export function envExample(file = 'examples/deploy/.env.production.example'): Map<string, string> {
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split('=', 2) as [string, string]);
  return new Map(entries);
}

/** The `+ docker compose …` lines of deploy.sh's dry run (also those inside `$(…)`). */
export function composeLines(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('docker compose --') || line.includes('docker compose -f'));
}

/** nginx sizes (`6m`, `512k`, `1g`, bytes) in bytes. */
export function nginxSize(value: string): number {
  const match = /^(\d+)([kmg]?)$/i.exec(value);
  if (match === null) return Number.NaN;
  return Number(match[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[(match[2] as string).toLowerCase()]!;
}

/** A Dockerfile's stages by name (`FROM … AS name`), each with its lines. */
export function dockerfileStages(dockerfile: string): Map<string, string> {
  const stages = new Map<string, string>();
  for (const part of dockerfile.split(/^(?=FROM )/m)) {
    const name = /^FROM \S+ AS (\S+)/.exec(part)?.[1];
    if (name !== undefined) stages.set(name, part);
  }
  return stages;
}

/** The packages the Dockerfile's prod-deps stage promotes to production dependencies (runtime-manifest.mjs's arguments). */
export function promotedPackages(dockerfile: string): string[] {
  const line = /runtime-manifest\.mjs ([^\\\n&]+)/.exec(dockerfile.replace(/COPY [^\n]*runtime-manifest\.mjs[^\n]*\n/, ''))?.[1] ?? '';
  return line.trim().split(/\s+/).filter(Boolean);
}

/**
 * Which of `files` a .dockerignore lets into the build context, by Docker's rules: patterns in
 * order, the last match wins, `!` re-includes, a pattern matching a folder covers what is inside,
 * `*` and `?` stop at `/`, `**` crosses folders.
 */
export function dockerignoreIncludes(dockerignore: string, files: readonly string[]): string[] {
  const rules = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = (include ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split('')
        .map((c, i, all) => (c === '*' ? (all[i + 1] === '*' ? '' : all[i - 1] === '*' ? '.*' : '[^/]*') : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { include, regex: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return files.filter((file) => {
    let included = true;
    for (const rule of rules) if (rule.regex.test(file)) included = rule.include;
    return included;
  });
}

/** deploy.sh --dry-run with `args`, on a bare PATH and only `env` in the environment. */
export function dryRun(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('bash', ['examples/deploy/deploy.sh', '--dry-run', ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...env } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
