/** Starts the demo app: settings, database, first-start seed, resolvers, HTTP server. */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogoResolver, fsStorage, initialsAvatar, uiAvatars, type LogoResolver } from '../../src/index.js';
import { createApp } from './app.js';
import { createAvatarRoute } from './avatar-route.js';
import type { AvatarChoice, DemoConfig } from './config.js';
import { openCompanies } from './db.js';
import { seedOnFirstStart } from './seed.js';
import { connectShared } from './shared.js';

/** A running demo. */
export interface RunningDemo {
  url: string;
  seeded: boolean;
  /** Why the e-mail column shows SVG instead of PNG (`@resvg/resvg-js` is not installed), or `undefined`: PNG is on. */
  pngUnavailable: string | undefined;
  close(): Promise<void>;
}

/** Time limits of the HTTP server, ms. */
export interface DemoTimeouts {
  /** An upload that sends nothing for this long is refused with 408. @default 10000 */
  uploadIdle?: number;
  /** A whole request, body included, must arrive within this (a trickling client is cut off). @default 60000 */
  request?: number;
  /** Its headers within this. @default 10000 */
  headers?: number;
}

/**
 * Starts the app with `config` and resolves once it listens. `warn` hears the resolver's `onError`
 * and the app's one-line notices (an aborted upload, say).
 */
export async function startDemo(config: DemoConfig, warn: (message: string) => void = console.warn, timeouts: DemoTimeouts = {}): Promise<RunningDemo> {
  mkdirSync(config.mediaRoot, { recursive: true });
  const store = openCompanies(config.dataDir);
  const seeded = seedOnFirstStart(store, config.mediaRoot);
  const storage = fsStorage({ root: config.mediaRoot, baseUrl: '/media/' });
  const onError = (error: Error): void => warn(error.message);
  const fleet = connectShared(config.redisUrl, warn);
  const shared = fleet.shared === undefined ? {} : { shared: fleet.shared };
  const resolvers: Record<AvatarChoice, LogoResolver> = {
    local: createLogoResolver({ storage, avatar: initialsAvatar({ size: 34 }), onError, ...shared }),
    'ui-avatars': createLogoResolver({ storage, avatar: uiAvatars({ preset: 'horilla' }), onError, ...shared }),
  };
  // The e-mail column's resolver keeps to its own cache, off the shared tier (REDIS_URL): it prints
  // the keys the page prints, and an upload's key is new, so no replica can hold a stale answer for it.
  const avatarRoute = createAvatarRoute({ storage, onError });
  const request = timeouts.request ?? 60_000;
  // Node's defaults let a request take 300 s; a stalled upload would hold its buffered body that long.
  const server = createServer(
    { requestTimeout: request, headersTimeout: Math.min(timeouts.headers ?? 10_000, request), connectionsCheckingInterval: Math.min(1_000, request) },
    createApp({ config, store, resolvers, avatarRoute, log: warn, ...(timeouts.uploadIdle === undefined ? {} : { uploadIdleTimeout: timeouts.uploadIdle }) }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return {
    url: `http://${host}:${port}/`,
    seeded,
    pngUnavailable: avatarRoute.pngUnavailable,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
        .finally(() => fleet.close())
        .finally(() => store.close()),
  };
}
