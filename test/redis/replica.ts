/**
 * One replica of an app, as its own Node process (test/redis/fleet.ts starts it): a resolver over an
 * HTTP storage with the Redis tier, rendering a page through Nunjucks (async filters) or Handlebars
 * (sync, from the cache). It takes commands as JSON lines on stdin and answers on stdout:
 * `{ id, op: 'render' | 'renderSync', companies }` → `{ id, html, ms }`; `{ id, op: 'renderMany', companies, times }`
 * (one render after the other) → `{ id, html, ms }`; `{ id, op: 'invalidate', file? }`;
 * `{ id, op: 'reports' }` → `{ id, reports: [{ code, message }] }`; `{ id, op: 'ready' }` → `{ id, ready }`
 * (both Redis connections up); `{ id, op: 'close' }`.
 *
 * It adds no 'error' listener of its own to the Redis clients: that the tier's keep a lost
 * connection from crashing the process is part of what the fault tests see.
 */
import { createInterface } from 'node:readline';
import Handlebars from 'handlebars';
import nunjucks from 'nunjucks';
import { createClient } from 'redis';
import { registerHandlebars } from '../../adapters/handlebars.js';
import { registerNunjucks } from '../../adapters/nunjucks.js';
import { createLogoResolver, httpStorage, type LogoFallbackError } from '../../src/index.js';
import { redisShared } from '../../src/shared/redis.js';

/** What the parent passes in the REPLICA environment variable. */
export interface ReplicaConfig {
  redis: string;
  storage: string;
  prefix: string;
  budget?: number;
  cooldown?: number;
  timeout?: number;
  ttl?: number;
  missTtl?: number;
  version?: boolean;
  /** `false`: no shared tier (each replica on its own, the baseline of bench/replicas.ts). */
  shared?: boolean;
}

const config = JSON.parse(process.env.REPLICA ?? '{}') as ReplicaConfig;
// The application's connections, reconnecting with node-redis' default backoff.
const client = createClient({ url: config.redis });
const subscriber = client.duplicate();
await Promise.all([client.connect(), subscriber.connect()]);

const reports: Array<{ code: string; message: string }> = [];
const shared = redisShared({
  client,
  subscriber,
  prefix: config.prefix,
  ...(config.budget === undefined ? {} : { budget: config.budget }),
  ...(config.cooldown === undefined ? {} : { cooldown: config.cooldown }),
});
const logos = createLogoResolver({
  storage: httpStorage({ baseUrl: config.storage }),
  ...(config.shared === false ? {} : { shared }),
  ...(config.version === true ? { version: true } : {}),
  ...(config.timeout === undefined ? {} : { timeout: config.timeout }),
  cache: { ...(config.ttl === undefined ? {} : { ttl: config.ttl }), ...(config.missTtl === undefined ? {} : { missTtl: config.missTtl }) },
  onError: (error: LogoFallbackError) => reports.push({ code: error.code, message: error.message }),
});

const PAGE = '{% for c in list %}<img src="{{ c | get_company_logo }}" alt="{{ c | get_company_name }}">\n{% endfor %}';
const env = registerNunjucks(new nunjucks.Environment(null, { autoescape: true }), logos, { async: true });
const page = nunjucks.compile(PAGE, env);
const hbs = registerHandlebars(Handlebars.create(), logos).compile('{{#each list}}<img src="{{get_company_logo this}}" alt="{{get_company_name this}}">\n{{/each}}');

type Command = { id: number; op: string; companies?: unknown[]; file?: string; times?: number };

function render(list: unknown): Promise<string> {
  return new Promise<string>((resolve, reject) => page.render({ list }, (error, out) => (error ? reject(error) : resolve(out ?? ''))));
}

async function handle(command: Command): Promise<Record<string, unknown>> {
  const started = performance.now();
  switch (command.op) {
    case 'render': {
      const html = await render(command.companies);
      return { html, ms: performance.now() - started };
    }
    case 'renderMany': {
      let html = '';
      for (let i = 0; i < (command.times ?? 1); i++) html = await render(command.companies);
      return { html, ms: performance.now() - started };
    }
    case 'renderSync':
      return { html: hbs({ list: command.companies }), ms: performance.now() - started };
    case 'invalidate':
      logos.invalidate(command.file);
      return {};
    case 'reports':
      return { reports: reports.splice(0) };
    case 'ready':
      return { ready: client.isReady && subscriber.isReady };
    case 'close':
      await shared.close();
      client.destroy();
      subscriber.destroy();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown op ${command.op}`);
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as Command;
  handle(command).then(
    (result) => process.stdout.write(`${JSON.stringify({ id: command.id, ...result })}\n`),
    (error: unknown) => process.stdout.write(`${JSON.stringify({ id: command.id, error: String(error) })}\n`),
  );
}
