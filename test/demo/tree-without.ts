/**
 * The demo as installed without some packages: a temporary copy of the sources whose node_modules
 * links every installed package but those. Node resolves a package from the real path of the file
 * asking for it, so the copied sources find exactly what this node_modules holds — a left-out
 * package is as absent as if it had never been installed — while the linked packages keep finding
 * their own dependencies where they are installed. A package whose own dependencies must be looked
 * up in the tree (to leave out one of those) is copied instead of linked.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the demo sources need from the repository (the demo imports src, adapters and fixtures). */
const SOURCES = ['package.json', 'tsconfig.json', 'src', 'adapters', 'fixtures', 'fonts', 'examples/demo'];

/**
 * A temporary tree of the demo's sources with node_modules lacking the `missing` packages
 * (`'@scope/name'` or `'name'`), and holding copies of the `copied` ones.
 */
export function treeWithout(missing: readonly string[], copied: readonly string[] = [], repo = process.cwd()): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-without-'));
  try {
    for (const source of SOURCES) cpSync(path.join(repo, source), path.join(dir, source), { recursive: true });
    const modules = path.join(repo, 'node_modules');
    const place = (name: string): void => {
      if (missing.includes(name)) return;
      if (copied.includes(name)) cpSync(path.join(modules, name), path.join(dir, 'node_modules', name), { recursive: true });
      else symlinkSync(path.join(modules, name), path.join(dir, 'node_modules', name));
    };
    mkdirSync(path.join(dir, 'node_modules'));
    for (const entry of readdirSync(modules)) {
      if (entry === '.bin' || entry.startsWith('.package-lock')) continue;
      if (entry.startsWith('@')) {
        mkdirSync(path.join(dir, 'node_modules', entry));
        for (const member of readdirSync(path.join(modules, entry))) place(`${entry}/${member}`);
      } else {
        place(entry);
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `npm run demo` in `dir` (tsx, PORT 0), resolved once it prints its URL; `stop()` ends it. */
export async function startDemoIn(dir: string, env: Record<string, string>): Promise<{ url: string; output: () => string; waitForOutput(pattern: RegExp): Promise<void>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/server.ts'], {
    cwd: dir,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not start within 60 s:\n${output}`)), 60_000);
      const read = (chunk: Buffer): void => {
        output += chunk.toString();
        const found = /logo-fallback demo: (http:\/\/\S+)/.exec(output)?.[1];
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the demo exited with ${code}:\n${output}`));
      });
    });
    // stdout and stderr are two pipes: a warning printed before the URL line may arrive after it.
    const waitForOutput = async (pattern: RegExp): Promise<void> => {
      for (const deadline = Date.now() + 10_000; !pattern.test(output); ) {
        if (Date.now() > deadline) throw new Error(`the demo did not print ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    return { url, output: () => output, waitForOutput, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
