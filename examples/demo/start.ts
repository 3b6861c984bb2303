/** Starts the demo app: settings, database, first-start seed, resolvers, HTTP server. */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogoResolver, fsStorage, initialsAvatar, uiAvatars, type LogoResolver } from '../../src/index.js';
import { createApp } from './app.js';
import type { AvatarChoice, DemoConfig } from './config.js';
import { openCompanies } from './db.js';
import { seedOnFirstStart } from './seed.js';

/** A running demo. */
export interface RunningDemo {
  url: string;
  seeded: boolean;
  close(): Promise<void>;
}

/** Starts the app with `config` and resolves once it listens. `warn` hears the resolver's `onError`. */
export async function startDemo(config: DemoConfig, warn: (message: string) => void = console.warn): Promise<RunningDemo> {
  mkdirSync(config.mediaRoot, { recursive: true });
  const store = openCompanies(config.dataDir);
  const seeded = seedOnFirstStart(store, config.mediaRoot);
  const storage = fsStorage({ root: config.mediaRoot, baseUrl: '/media/' });
  const onError = (error: Error): void => warn(error.message);
  const resolvers: Record<AvatarChoice, LogoResolver> = {
    local: createLogoResolver({ storage, avatar: initialsAvatar({ size: 34 }), onError }),
    'ui-avatars': createLogoResolver({ storage, avatar: uiAvatars({ preset: 'horilla' }), onError }),
  };
  const server = createServer(createApp({ config, store, resolvers }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return {
    url: `http://${host}:${port}/`,
    seeded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).finally(() => store.close()),
  };
}
