/**
 * The package as npm publishes it, installed in a fresh project: `npm pack` (which builds through
 * the `prepack` script) into a temporary directory, the tarball extracted as
 * `node_modules/logo-fallback` of a temporary ESM project, and every other package linked from the
 * repository's node_modules (the engines, tsx, typescript, @types/*) — no network, no install.
 * Packed once per process and removed when the process exits.
 */
import { execFile } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository's root directory. */
export const repoDir = fileURLToPath(new URL('../..', import.meta.url));

export interface PackedProject {
  /** The temporary project: `package.json` (`"type": "module"`) and `node_modules/`. */
  readonly dir: string;
  /** `node_modules/logo-fallback`: the extracted tarball. */
  readonly packageDir: string;
  /** The paths inside the tarball, as `npm pack` lists them (`dist/src/index.js`, …). */
  readonly files: readonly string[];
}

let packed: Promise<PackedProject> | undefined;

/** The packed project, created on first use (about 10 s: a build and a pack). */
export function packedProject(): Promise<PackedProject> {
  packed ??= pack();
  return packed;
}

async function pack(): Promise<PackedProject> {
  const root = await mkdtemp(join(tmpdir(), 'logo-fallback-packed-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));

  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', root], { cwd: repoDir, maxBuffer: 64 * 1024 * 1024 });
  const [report] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (report === undefined) throw new Error(`npm pack printed no report: ${stdout.slice(0, 500)}`);

  const dir = join(root, 'project');
  const modules = join(dir, 'node_modules');
  const packageDir = join(modules, 'logo-fallback');
  await mkdir(packageDir, { recursive: true });
  await run('tar', ['-xzf', join(root, report.filename), '-C', packageDir, '--strip-components=1']);

  const repoModules = join(repoDir, 'node_modules');
  for (const name of await readdir(repoModules)) {
    if (name === 'logo-fallback' || name.startsWith('.')) continue;
    await symlink(join(repoModules, name), join(modules, name));
  }
  // Executables, as npm links them on install: the repository's (relative links, so they point
  // into this project's node_modules) and the package's own bin.
  const bin = join(modules, '.bin');
  await mkdir(bin);
  for (const name of await readdir(join(repoModules, '.bin'))) {
    await symlink(await readlink(join(repoModules, '.bin', name)), join(bin, name));
  }
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  for (const [name, target] of Object.entries(manifest.bin)) {
    chmodSync(join(packageDir, target), 0o755);
    await symlink(join('..', 'logo-fallback', target), join(bin, name));
  }
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'readme-samples', private: true, type: 'module' }, null, 2)}\n`);
  return { dir, packageDir, files: report.files.map((file) => file.path) };
}
