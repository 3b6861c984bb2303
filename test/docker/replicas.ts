/**
 * The container test's replicas phase (issue 12 §6): the kit's docker-compose.replicas.yaml over a
 * fresh stack — Redis built from the kit's Dockerfile (Debian's redis-server; no registry), two app
 * processes on the same volumes, both on the invalidation bus; an upload through one replica is
 * shown by the other, and by nginx, which finds both under the name "app" (here the second replica
 * is test/docker/compose.replicas.test.yaml's app-b on 127.0.0.2: on the host network two replicas
 * cannot share a port).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { solidPng } from '../demo/images.js';
import { freePort } from '../e2e/processes.js';
import type { Checks } from './checks.js';
import { compose, deploy, docker, http, keyOnPage, pageAt, run, uploadAt, VOLUMES, writeEnvFile, type Stack } from './stack.js';

const REPLICAS = 'examples/deploy/docker-compose.replicas.yaml';
const TEST_LAYER = 'test/docker/compose.replicas.test.yaml';
const CHANNEL = 'logo-fallback-demo:invalidate'; // examples/demo/shared.ts: the demo's prefix

/** Waits until a compose service's container is healthy; returns the last status seen. */
async function healthy(stack: Stack, service: string, seconds = 90): Promise<string> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const id = (await compose(stack, ['ps', '-q', service])).stdout.trim();
    const status = id === '' ? 'no container' : (await docker(['inspect', '--format', '{{.State.Health.Status}}', id])).stdout.trim();
    if (status === 'healthy' || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

export async function replicas(checks: Checks, stack: Stack): Promise<void> {
  const engine = path.join(stack.repo, 'test/docker/engine.sh');
  await compose(stack, ['down', '--remove-orphans'], { log: path.join(stack.out, 'compose.log') });
  for (const volume of VOLUMES) await docker(['volume', 'rm', volume]);
  // "app" is both replicas now, as Docker's DNS would answer on a compose network.
  await run('bash', [engine, 'dns-stop', stack.state], { log: path.join(stack.out, 'engine.log') });
  checks.is('dnsmasq answers "app" with both replicas\' addresses', (await run('bash', [engine, 'dns-start', stack.state, stack.out, '127.0.0.1', '127.0.0.2'], { log: path.join(stack.out, 'engine.log') })).code, 0);
  const redisPort = await freePort();
  const settings = { ...stack.settings, REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_PORT: String(redisPort) };
  const fleet: Stack = { ...stack, envFile: writeEnvFile(stack.state, 'replicas.env', settings), settings, layers: [REPLICAS, TEST_LAYER] };
  const port = stack.settings.PORT as string;
  const [a, b] = [`http://127.0.0.1:${port}`, `http://127.0.0.2:${port}`];
  try {
    const deployed = await deploy(fleet, '7-replicas');
    checks.is('deploy.sh --override docker-compose.replicas.yaml exits 0', deployed.code, 0);
    const user = (await docker(['image', 'inspect', '--format', '{{.Config.User}}', 'logo-fallback-redis:latest'])).stdout.trim();
    checks.is('the Redis image is built from the kit\'s Dockerfile, run as the user redis', user, 'redis');
    const version = (await docker(['run', '--rm', '--network', 'none', 'logo-fallback-redis:latest', 'redis-server', '--version'])).stdout;
    checks.ok('… Debian\'s redis-server 7', /^Redis server v=7\./.test(version), version);
    checks.is('the second replica is healthy', await healthy(fleet, 'app-b'), 'healthy');
    const subscribers = (await compose(fleet, ['exec', '-T', 'redis', 'redis-cli', '-p', String(redisPort), 'PUBSUB', 'NUMSUB', CHANNEL])).stdout.trim().split('\n');
    checks.is('both replicas listen on the invalidation bus', subscribers[1], '2');

    // Listen on the bus while replica A takes an upload: A tells the fleet what to forget.
    const listening = compose(fleet, ['exec', '-T', 'redis', 'timeout', '8', 'redis-cli', '-p', String(redisPort), 'SUBSCRIBE', CHANNEL]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const png = solidPng(36, [250, 120, 0]);
    const uploaded = await uploadAt(a, 3, png);
    checks.is('an upload through replica A (127.0.0.1): 303', uploaded.status, 303);
    const heard = (await listening).stdout;
    checks.ok('A published the invalidation on the bus', uploaded.key !== undefined && heard.includes(uploaded.key), heard.slice(0, 1000));
    checks.is('replica B (127.0.0.2) shows the upload on its next page', keyOnPage(await pageAt(b, '?company=3'), 3), uploaded.key);
    const fromB = await http(`${b}/media/${uploaded.key}`);
    checks.ok('… and publishes it (X-Accel-Redirect to the file on the shared volume)', fromB.status === 200 && fromB.header('x-accel-redirect')[0] === `/_protected_media/${uploaded.key}`, `${fromB.status} ${fromB.headers.join(' | ')}`);
    const pages = await Promise.all(Array.from({ length: 6 }, () => pageAt(stack.base, '?company=3')));
    checks.ok('through nginx, every page shows it, whichever replica answers', pages.every((html) => keyOnPage(html, 3) === uploaded.key));
    checks.ok('through nginx, the file byte-identical', (await http(`${stack.base}/media/${uploaded.key}`)).body.equals(png));
    // nginx reaches the second replica by the name "app": with the first stopped, B serves alone.
    await compose(fleet, ['stop', 'app'], { log: path.join(stack.out, 'compose.log') });
    const alone = await http(`${stack.base}/?company=3`);
    checks.ok('with replica A stopped, nginx serves the page from B', alone.status === 200 && keyOnPage(alone.body.toString(), 3) === uploaded.key, `${alone.status}`);
  } finally {
    const logs = await compose(fleet, ['logs', '--no-color', '--timestamps']);
    writeFileSync(path.join(stack.out, 'containers-replicas.log'), logs.stdout + logs.stderr);
    await compose(fleet, ['down', '--remove-orphans'], { log: path.join(stack.out, 'compose.log') });
  }
}
