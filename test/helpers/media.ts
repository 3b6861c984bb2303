/** Temporary media roots with real files, and a storage wrapper that records every key it is asked about. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Storage } from '../../src/index.js';

/** Creates a temporary directory holding `files` (relative path → contents); returns it and a cleanup. */
export function tempMedia(files: Record<string, string | Buffer> = {}): { root: string; cleanup: () => void } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'logo-fallback-'));
  const root = path.join(base, 'media');
  mkdirSync(root);
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), contents);
  }
  return { root, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** Wraps a storage so that a test can see which keys reached it, sync and async. */
export function recording(storage: Storage): Storage & { calls: string[] } {
  const calls: string[] = [];
  const wrapped: Storage & { calls: string[] } = {
    ...storage,
    calls,
    exists(key, signal) {
      calls.push(key);
      return storage.exists(key, signal);
    },
    url: (key) => storage.url(key),
  };
  if (storage.existsSync !== undefined) {
    const existsSync = storage.existsSync;
    wrapped.existsSync = (key) => {
      calls.push(key);
      return existsSync(key);
    };
  }
  return wrapped;
}
