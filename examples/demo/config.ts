/**
 * The demo app's settings, read from the environment once at start-up and checked: a wrong value
 * stops the app with a message naming the variable, rather than running half-configured.
 */
import path from 'node:path';
import { SIDEBAR_ENGINES, type SidebarEngine } from '../../fixtures/render.js';

/** Every variable the app reads. `.env.production.example` lists exactly these (a test checks). */
export const ENV_VARIABLES = ['HOST', 'PORT', 'DATA_DIR', 'MEDIA_ROOT', 'ENGINE', 'AVATARS', 'MEDIA_ACCEL_PREFIX', 'REDIS_URL'] as const;

/** Which avatar provider draws the fallback. */
export type AvatarChoice = 'local' | 'ui-avatars';
export const AVATAR_CHOICES: readonly AvatarChoice[] = ['local', 'ui-avatars'];

/** The app's settings. */
export interface DemoConfig {
  /** Interface to listen on. @default '127.0.0.1' (a container sets 0.0.0.0) */
  host: string;
  /** @default 3000 */
  port: number;
  /** Where the SQLite database lives. @default '.demo/data' */
  dataDir: string;
  /** Where uploaded logos live: the storage root. @default '.demo/media' */
  mediaRoot: string;
  /** The engine that renders the app's own sidebar: any of the six with a sidebar partial. @default 'nunjucks' */
  engine: SidebarEngine;
  /** The default avatar provider (`?avatars=` switches per page). @default 'local' */
  avatars: AvatarChoice;
  /**
   * Behind nginx: answer an allowed media request with `X-Accel-Redirect: <prefix><key>` and let
   * nginx send the file from its `internal` location. Unset: the app sends the file itself.
   */
  mediaAccelPrefix: string | undefined;
  /**
   * Several replicas: the Redis (or Valkey) whose shared tier and invalidation bus they use
   * (`redis://` or `rediss://`, README "Several replicas"). Unset: each replica on its own.
   */
  redisUrl: string | undefined;
}

function fail(variable: string, expected: string, value: string): never {
  throw new Error(`${variable} must be ${expected}, got ${JSON.stringify(value)}`);
}

function oneOf<T extends string>(variable: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (!(choices as readonly string[]).includes(value)) fail(variable, `one of ${choices.join(', ')}`, value);
  return value as T;
}

function redisUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let valid = false;
  try {
    valid = ['redis:', 'rediss:'].includes(new URL(value).protocol);
  } catch {
    // not a URL
  }
  if (!valid) fail('REDIS_URL', 'a redis:// or rediss:// URL such as redis://redis:6379', value);
  return value;
}

/** Reads and checks the settings from `env`. Throws an `Error` naming the first bad variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('PORT', 'a port number (0–65535)', env.PORT ?? '');
  const prefix = env.MEDIA_ACCEL_PREFIX === '' ? undefined : env.MEDIA_ACCEL_PREFIX;
  if (prefix !== undefined && !/^\/[\w/-]*\/$/.test(prefix)) fail('MEDIA_ACCEL_PREFIX', 'a path such as /_protected_media/ (leading and trailing slash)', prefix);
  return {
    host: env.HOST || '127.0.0.1',
    port,
    dataDir: path.resolve(env.DATA_DIR || '.demo/data'),
    mediaRoot: path.resolve(env.MEDIA_ROOT || '.demo/media'),
    engine: oneOf('ENGINE', env.ENGINE, SIDEBAR_ENGINES, 'nunjucks'),
    avatars: oneOf('AVATARS', env.AVATARS, AVATAR_CHOICES, 'local'),
    mediaAccelPrefix: prefix,
    redisUrl: redisUrl(env.REDIS_URL),
  };
}
