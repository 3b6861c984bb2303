/** Starts the demo app on 127.0.0.1, port 0, over temporary DATA_DIR and MEDIA_ROOT. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfig } from '../../examples/demo/config.js';
import { startDemo, type DemoTimeouts, type RunningDemo } from '../../examples/demo/start.js';

/** A demo on temporary directories; `stop()` closes it and removes them. */
export interface TempDemo extends RunningDemo {
  dataDir: string;
  mediaRoot: string;
  base: string;
  /** What the resolvers reported through `onError`. */
  warnings: string[];
  stop(): Promise<void>;
}

/** Starts a demo; `env` adds settings (ENGINE, MEDIA_ACCEL_PREFIX, …); `dirs` reuses directories; `timeouts` shortens the server's. */
export async function startTempDemo(env: Record<string, string> = {}, dirs?: { base: string; dataDir?: string; mediaRoot?: string }, timeouts: DemoTimeouts = {}): Promise<TempDemo> {
  const base = dirs?.base ?? mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-demo-'));
  const dataDir = dirs?.dataDir ?? path.join(base, 'data');
  const mediaRoot = dirs?.mediaRoot ?? path.join(base, 'media');
  const config = readConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, MEDIA_ROOT: mediaRoot, ...env });
  const warnings: string[] = [];
  const demo = await startDemo(config, (message) => warnings.push(message), timeouts);
  return {
    ...demo,
    dataDir,
    mediaRoot,
    base,
    warnings,
    async stop() {
      await demo.close();
      if (dirs === undefined) rmSync(base, { recursive: true, force: true });
    },
  };
}
