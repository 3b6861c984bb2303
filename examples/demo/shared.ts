/**
 * Several replicas of the demo (REDIS_URL): the connections the app opens for `logo-fallback/redis`
 * and the shared tier over them. Redis is not needed to start: the connections are made in the
 * background, the app serves meanwhile (each replica on its own), and node-redis reconnects by
 * itself whenever Redis comes and goes.
 */
import { createClient } from 'redis';
import type { SharedTier } from '../../src/index.js';
import { redisShared } from '../../src/shared/redis.js';

/** The shared tier for the resolvers (none without a URL), and how to let go of it. */
export interface DemoShared {
  readonly shared: SharedTier | undefined;
  close(): Promise<void>;
}

/** The app's Redis connections and shared tier; `warn` hears a connection that fails. */
export function connectShared(url: string | undefined, warn: (message: string) => void): DemoShared {
  if (url === undefined) return { shared: undefined, close: async () => undefined };
  const client = createClient({ url });
  const subscriber = client.duplicate();
  // The resolvers' onError reports an outage once per window; the clients' own errors stay quiet here.
  for (const connection of [client, subscriber]) void connection.connect().catch((error: Error) => warn(`redis: ${error.message}`));
  const shared = redisShared({ client, subscriber, prefix: 'logo-fallback-demo:' });
  return {
    shared,
    async close() {
      await shared.close();
      client.destroy();
      subscriber.destroy();
    },
  };
}
