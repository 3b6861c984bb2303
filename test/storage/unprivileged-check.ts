/**
 * Run by fs-faults.test.ts as an unprivileged user (tests run as root, and root reads any file):
 * checks each key with one driver and prints the answers as JSON on stdout.
 * argv: a JSON `{ driver: 'fs' | 'unstorage-fs', root: string, keys: string[], list: boolean, prefix?: string }`
 * (`prefix`: what the listings list, `''` by default).
 */
import { createStorage } from 'unstorage';
import fsDriver from 'unstorage/drivers/fs';
import { LogoFallbackError, fsStorage, unstorageStorage, type Storage } from '../../src/index.js';

type Answer = { value: unknown } | { code: string; message: string };

async function answer(run: () => unknown): Promise<Answer> {
  try {
    return { value: await run() };
  } catch (error) {
    return error instanceof LogoFallbackError ? { code: error.code, message: error.message } : { code: 'THROWN', message: String(error) };
  }
}

async function main(spec: string): Promise<void> {
  const { driver, root, keys, list, prefix = '' } = JSON.parse(spec) as { driver: string; root: string; keys: string[]; list: boolean; prefix?: string };
  const storage: Storage =
    driver === 'fs' ? fsStorage({ root }) : unstorageStorage(createStorage({ driver: fsDriver({ base: root }) }), { baseUrl: '/media/' });
  const results: Record<string, Record<string, Answer>> = {};
  for (const key of keys) {
    results[key] = {
      exists: await answer(() => storage.exists(key)),
      existsSync: await answer(() => (storage.existsSync === undefined ? 'none' : storage.existsSync(key))),
      stat: await answer(async () => (await storage.stat?.(key))?.size),
    };
  }
  if (list) {
    results['list()'] = { list: await answer(async () => { const all = []; for await (const e of storage.list?.(prefix) ?? []) all.push(e.key); return all.sort(); }) };
    results['list({ stat })'] = { list: await answer(async () => { const all = []; for await (const e of storage.list?.(prefix, undefined, { stat: true }) ?? []) all.push(e.key); return all.sort(); }) };
  }
  process.stdout.write(JSON.stringify({ uid: process.getuid?.(), results }));
}

// Only as a child with a spec (a test runner given a broad pattern may import this file too).
const spec = process.argv[2];
if (spec?.startsWith('{') === true) await main(spec);
