/** Local disk (or a Docker volume): existence through fs-extra, with root containment. */
import path from 'node:path';
import fse from 'fs-extra';
import { LogoFallbackError } from '../errors.js';
import { encodeKey } from '../keys.js';
import { normalizeBaseUrl, requireString } from '../options.js';
import { assertSafeKey } from './guards.js';
import type { Storage } from './types.js';

/** Options of {@link fsStorage}. */
export interface FsStorageOptions {
  /** The directory that holds the media (Django's `MEDIA_ROOT`). Relative paths resolve from `process.cwd()`. */
  root: string;
  /**
   * The public URL the directory is served under (Django's `MEDIA_URL`).
   * @default '/media/'
   */
  baseUrl?: string;
}

/**
 * One step of an existence check, run either synchronously or asynchronously, so that `exists` and
 * `existsSync` share one implementation of the containment rules.
 */
type Step = { op: 'pathExists' | 'realpath' | 'isFile'; path: string };

/**
 * Stores files on the local disk under `root`. A key is checked only when it is inside the root;
 * a symlink is followed only when its target is inside the root too; directories do not count.
 *
 * @example
 * ```ts
 * const storage = fsStorage({ root: 'media', baseUrl: '/media/' });
 * await storage.exists('base/company/icon/acme.png'); // true
 * storage.url('base/company/icon/acme.png');           // '/media/base/company/icon/acme.png'
 * ```
 */
export function fsStorage(options: FsStorageOptions): Storage {
  const owner = 'fsStorage()';
  const root = path.resolve(requireString(options?.root, 'root', owner));
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? '/media/', 'baseUrl', owner);
  let realRoot: string | undefined;

  function refuse(key: string, why: string): never {
    throw new LogoFallbackError('INVALID_KEY', `fs storage: refused key ${JSON.stringify(key)}: ${why}`, { key, storage: 'fs' });
  }

  function* check(key: string): Generator<Step, boolean, unknown> {
    assertSafeKey(key, 'fs');
    const full = path.join(root, key);
    if (!full.startsWith(root + path.sep)) refuse(key, 'it points outside the root');
    if (!(yield { op: 'pathExists', path: full })) {
      if (!(yield { op: 'pathExists', path: root })) {
        throw new LogoFallbackError('ROOT_MISSING', `fs storage: the root directory ${root} does not exist, so every file is missing`, {
          storage: 'fs',
        });
      }
      return false;
    }
    realRoot ??= (yield { op: 'realpath', path: root }) as string;
    const real = (yield { op: 'realpath', path: full }) as string;
    if (!real.startsWith(realRoot + path.sep)) refuse(key, 'it is a symlink that resolves outside the root');
    return (yield { op: 'isFile', path: real }) as boolean;
  }

  function runSync(key: string): boolean {
    const steps = check(key);
    let result = steps.next();
    while (!result.done) {
      const { op, path: p } = result.value;
      result = steps.next(op === 'pathExists' ? fse.pathExistsSync(p) : op === 'realpath' ? fse.realpathSync.native(p) : fse.statSync(p).isFile());
    }
    return result.value;
  }

  async function runAsync(key: string): Promise<boolean> {
    const steps = check(key);
    let result = steps.next();
    while (!result.done) {
      const { op, path: p } = result.value;
      result = steps.next(
        op === 'pathExists' ? await fse.pathExists(p) : op === 'realpath' ? await fse.realpath.native(p) : (await fse.stat(p)).isFile(),
      );
    }
    return result.value;
  }

  return {
    name: 'fs',
    baseUrl,
    root,
    exists: (key) => runAsync(key),
    existsSync: (key) => runSync(key),
    url: (key) => baseUrl + encodeKey(key),
  };
}
