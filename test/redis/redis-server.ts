/**
 * A real redis-server (Debian's package; .ci/run installs it) for the tests: on 127.0.0.1, a port
 * that was free a moment ago, no persistence (`--save ''`, `--appendonly no`), in a temporary
 * directory. It can be killed and started again on the same port, paused (SIGSTOP) and resumed.
 * Whoever starts it stops it in `finally`/`after` (`stop()` also resumes a paused server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { freePort } from '../e2e/processes.js';

/** A running (or killed, or paused) redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** Sends one command on a short-lived connection (CONFIG SET, PUBLISH, FLUSHALL, …). */
  command(args: string[]): Promise<unknown>;
  /** SIGKILL: the connections drop at once, the data is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after `kill()`). */
  restart(): Promise<void>;
  /** SIGSTOP: the connections stay open and nothing answers. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Resumes and stops it, and removes its directory. Never rejects. */
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${output()}`);
    const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 1000 } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.sendCommand(['PING']);
      await client.close();
      return;
    } catch {
      client.destroy();
    }
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${url} within 20 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts redis-server; `extra` are more `--option value` arguments. */
export async function startRedis(extra: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'logo-fallback-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  let paused = false;

  async function launch(): Promise<void> {
    output = '';
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = started;
    await waitReady(url, started, () => output);
  }

  async function kill(): Promise<void> {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    if (paused) running.kill('SIGCONT');
    paused = false;
    running.kill('SIGKILL');
    await exited;
  }

  try {
    await launch();
  } catch (error) {
    await kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    async command(args) {
      const client = createClient({ url, socket: { reconnectStrategy: false } });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return await client.sendCommand(args);
      } finally {
        client.destroy();
      }
    },
    kill,
    restart: launch,
    pause() {
      paused = true;
      child?.kill('SIGSTOP');
    },
    resume() {
      if (!paused) return;
      paused = false;
      child?.kill('SIGCONT');
    },
    async stop() {
      await kill().catch(() => undefined);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
