/**
 * redisShared()'s options and the resolver's `shared` option, refused at start-up with a clear
 * LogoFallbackError — also for hostile objects (throwing getters, Proxies whose traps throw, revoked
 * Proxies). Real node-redis clients are made (not connected: a client connects only when told to).
 */
import { createClient } from 'redis';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LogoFallbackError, createLogoResolver, type SharedTier } from '../../src/index.js';
import { redisShared, type RedisSharedOptions } from '../../src/shared/redis.js';

const client = createClient({ url: 'redis://127.0.0.1:9' });
const subscriber = client.duplicate();

function refused(make: () => unknown, code: string, message: RegExp): void {
  try {
    make();
  } catch (error) {
    assert.instance(error, LogoFallbackError, String(error));
    assert.is((error as LogoFallbackError).code, code);
    assert.match((error as LogoFallbackError).message, message);
    return;
  }
  assert.unreachable(`accepted, expected ${String(message)}`);
}

const throwing = new Proxy(
  {},
  {
    get() {
      throw new Error('trap');
    },
    ownKeys() {
      throw new Error('trap');
    },
  },
);
const revoked = (() => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
})();

test('redisShared(): missing, wrong and hostile options are refused at construction', () => {
  const ok = { client, subscriber };
  const cases: Array<[unknown, string, RegExp]> = [
    [undefined, 'INVALID_OPTION', /redisShared\(\): the options must be an object, got undefined/],
    [{}, 'MISSING_OPTION', /"client" and "subscriber" are required/],
    [{ client }, 'MISSING_OPTION', /"client" and "subscriber" are required/],
    [{ client: {}, subscriber }, 'INVALID_OPTION', /"client" must be a node-redis client/],
    [{ client: 'redis://127.0.0.1:6379', subscriber }, 'INVALID_OPTION', /"client" must be a node-redis client .*got "redis:/],
    [{ client, subscriber: { on() {}, off() {} } }, 'INVALID_OPTION', /"subscriber" must be a node-redis client for pub\/sub/],
    [{ client, subscriber: client }, 'INVALID_OPTION', /a connection of its own/],
    [{ ...ok, budjet: 50 }, 'INVALID_OPTION', /unknown key "budjet" in the options; the known keys are "client", "subscriber", "prefix", "budget", "cooldown"/],
    [{ ...ok, budget: 0 }, 'INVALID_OPTION', /"budget" must be a finite number from 1 to 60000, got 0/],
    [{ ...ok, budget: Number.NaN }, 'INVALID_OPTION', /"budget" .* got NaN/],
    [{ ...ok, budget: Number.POSITIVE_INFINITY }, 'INVALID_OPTION', /"budget" .* got Infinity/],
    [{ ...ok, budget: '50' }, 'INVALID_OPTION', /"budget" .* got "50"/],
    [{ ...ok, cooldown: 600_001 }, 'INVALID_OPTION', /"cooldown" must be a finite number from 1 to 600000/],
    [{ ...ok, prefix: '' }, 'INVALID_OPTION', /"prefix" must be a string of 1 to 200 characters, got ""/],
    [{ ...ok, prefix: 'x'.repeat(201) }, 'INVALID_OPTION', /"prefix" must be a string of 1 to 200 characters/],
    [{ ...ok, prefix: 42 }, 'INVALID_OPTION', /"prefix" .* got 42/],
    [throwing, 'INVALID_OPTION', /redisShared\(\)/],
    [revoked, 'INVALID_OPTION', /redisShared\(\)/],
    [{ client: throwing, subscriber }, 'INVALID_OPTION', /redisShared\(\): the options could not be read: trap/],
    [{ client: revoked, subscriber }, 'INVALID_OPTION', /redisShared\(\): the options could not be read/],
    [
      Object.defineProperty({ subscriber }, 'client', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      }),
      'INVALID_OPTION',
      /could not be read: getter/,
    ],
  ];
  for (const [options, code, message] of cases) refused(() => redisShared(options as RedisSharedOptions), code, message);
  const shared = redisShared({ client, subscriber, prefix: 'app:', budget: 1, cooldown: 600_000 });
  assert.is(shared.name, 'redis');
  assert.not.ok(client.isOpen, 'no connection opened');
});

test('createLogoResolver({ shared }): anything but a shared tier is refused; a tier whose connect() throws too', () => {
  for (const shared of [{}, 'redis', null, 42, { name: 'x' }, { connect: () => undefined }, throwing, revoked]) {
    refused(() => createLogoResolver({ shared: shared as SharedTier }), 'INVALID_OPTION', /createLogoResolver\(\)/);
  }
  refused(
    () => createLogoResolver({ shared: { name: 'x', connect: () => { throw new Error('no way'); } } }),
    'INVALID_OPTION',
    /the shared tier could not connect: no way/,
  );
  refused(() => createLogoResolver({ shared: { name: 'x', connect: () => ({}) as never } }), 'INVALID_OPTION', /could not connect: its connect\(\) returned no check\(\) and invalidate\(\)/);
});

test.run();
