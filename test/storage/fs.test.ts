import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fsStorage } from '../../src/index.js';
import { CONTRACT_STORED, storageContract } from './contract.js';

storageContract(
  'fs',
  async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'logo-fallback-fs-'));
    const root = path.join(dir, 'media');
    for (const [key, body] of CONTRACT_STORED) {
      await mkdir(path.dirname(path.join(root, key)), { recursive: true });
      await writeFile(path.join(root, key), body);
    }
    // A file next to the root, where a traversal would land.
    await writeFile(path.join(dir, 'secret.png'), 'secret');
    return {
      storage: fsStorage({ root, baseUrl: '/media/' }),
      // The local disk has no request log; the INVALID_KEY rejection is what proves nothing was read.
      requests: () => [],
      fetchable: false,
      lists: true,
      faults: {
        broken: () => fsStorage({ root: path.join(dir, 'no-such-root'), baseUrl: '/media/' }),
      },
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
  ['broken'],
);
