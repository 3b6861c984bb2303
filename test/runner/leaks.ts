/**
 * Servers and child processes that tests leave open. Every `listen()` and every spawned child is
 * noted with the test-file line that started it; whatever is still open when the last suite ends
 * is a leak: the runner names it, fails the run, closes it and exits, so a leak can never keep
 * `npm test` from ending.
 */
import { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** Something a test opened and has not closed yet. */
export interface Leak {
  readonly what: string;
  /** The first stack frame in a test file (not the runner) when it was opened. */
  readonly where: string;
  /** The test file that was running. */
  readonly file: string;
}

interface Tracked extends Leak {
  isOpen(): boolean;
  close(): void;
}

const runnerFiles = ['run.ts', 'leaks.ts', 'uvu.ts'].map((name) => fileURLToPath(new URL(name, import.meta.url)));
const repoDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Where it was opened: the first stack frame in the repository's own code (outside node_modules
 * and the runner) and, when that is a helper, the test file's line that called it.
 */
function openedAt(stack: string | undefined): string {
  const frames: string[] = [];
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const match = /(?:file:\/\/)?(\/[^\s():]+):(\d+):\d+\)?$/.exec(line.trim());
    const path = match?.[1];
    if (path === undefined || !path.startsWith(repoDir) || path.includes('/node_modules/') || runnerFiles.includes(path)) continue;
    frames.push(`${path.slice(repoDir.length)}:${match?.[2] ?? '?'}`);
  }
  const [first] = frames;
  if (first === undefined) return '(no frame in the repository: opened by a library)';
  const caller = frames.find((frame) => /\.(?:test|fixture)\.ts:/.test(frame));
  return caller === undefined || caller === first ? first : `${first}, called from ${caller}`;
}

/**
 * Starts noting servers and child processes. Call it before any test file is imported.
 * @param currentFile - the test file running now, for the report.
 */
export function trackLeaks(currentFile: () => string): { open(): Leak[]; closeAll(): void } {
  const tracked = new Set<Tracked>();

  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    const entry: Tracked = {
      what: `a server (${this.constructor.name})`,
      where: openedAt(new Error().stack),
      file: currentFile(),
      isOpen: () => this.listening,
      close: () => {
        if ('closeAllConnections' in this && typeof this.closeAllConnections === 'function') this.closeAllConnections();
        this.close();
      },
    };
    tracked.add(entry);
    this.once('close', () => tracked.delete(entry));
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;

  // Every child_process API (spawn, exec, execFile, fork) goes through ChildProcess#spawn, which
  // Node has but its types do not declare.
  type SpawnOptions = { file: string; args?: string[] };
  const proto = ChildProcess.prototype as ChildProcess & { spawn(options: SpawnOptions): unknown };
  const spawn = proto.spawn;
  proto.spawn = function (this: ChildProcess, options: SpawnOptions) {
    const result = spawn.call(this, options);
    const entry: Tracked = {
      what: `a child process (${options.file} ${options.args?.slice(1).join(' ') ?? ''})`.slice(0, 160),
      where: openedAt(new Error().stack),
      file: currentFile(),
      isOpen: () => this.exitCode === null && this.signalCode === null,
      close: () => void this.kill('SIGKILL'),
    };
    tracked.add(entry);
    this.once('exit', () => tracked.delete(entry));
    return result;
  };

  return {
    open: () => [...tracked].filter((entry) => entry.isOpen()).map(({ what, where, file }) => ({ what, where, file })),
    closeAll: () => {
      for (const entry of tracked) if (entry.isOpen()) entry.close();
    },
  };
}
