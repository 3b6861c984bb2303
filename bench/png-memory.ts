/**
 * The avatar route's memory under distinct PNG requests, in a process of its own (so nothing run
 * before inflates its RSS):
 * `tsx bench/png-memory.ts [requests] [--in-thread] [--gc-every N] [--size PX] [--provider]`.
 * Requests are distinct (initials, background; 16–512 px, or all `--size`), sent to the route's
 * responder in a loop that awaits only promises. `--provider` draws PNG data URLs with
 * `initialsAvatar({ format: 'png' })` instead, for distinct names in one synchronous stretch, as a
 * template listing many companies does. `--in-thread` draws with resvg in the main thread, as
 * before the worker (the baseline); `--gc-every N` calls `gc()` every N requests (run node with
 * `--expose-gc`). Prints `process.memoryUsage()` every tenth of the run and, last, one JSON line
 * for bench/avatars.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { createAvatarResponder } from '../src/server/avatar-response.js';
import type { Rasterizer } from '../src/avatars/png/rasterizer.js';
import { initialsAvatarWith } from '../src/avatars/svg.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'in-thread': { type: 'boolean' }, provider: { type: 'boolean' }, 'gc-every': { type: 'string' }, size: { type: 'string' } },
});
const requests = Number(positionals[0] ?? 1000);
const inThread = values['in-thread'] === true;
const provider = values.provider === true;
const gcEvery = Number(values['gc-every'] ?? 0);
const fixedSize = values.size === undefined ? undefined : Number(values.size);
const gc = (globalThis as { gc?: () => void }).gc;
if (gcEvery > 0 && gc === undefined) throw new Error('--gc-every needs node --expose-gc');

/** The baseline: resvg in this thread, its pixels freed whenever their wrappers' finalizers run. */
function inThreadRasterizer(): Rasterizer {
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  return {
    rasterize: (svg, size, fontFiles) => new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [...fontFiles] }, logLevel: 'off', fitTo: { mode: 'width', value: size } }).render().asPng(),
    workersStarted: () => 0,
    close: () => undefined,
  };
}

const internals = inThread ? { rasterizer: inThreadRasterizer() } : {};
// The route as avatarFetchHandler({ png: true }) builds it, with the rasteriser chosen above.
const respond = createAvatarResponder({ png: true }, 'bench', internals);
const handler = (url: URL): Uint8Array | string => respond('GET', `${url.pathname}${url.search}`, undefined)?.body ?? '';
const dataUrls = initialsAvatarWith({ format: 'png', size: fixedSize ?? 128, maxSize: 512 }, internals);

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const rows: string[] = [];
const sample = (done: number): number => {
  const m = process.memoryUsage();
  rows.push(`| ${done} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${mb(m.external)} | ${mb(m.arrayBuffers)} |`);
  return m.rss;
};
const before = sample(0);
let peak = before;
const started = performance.now();
for (let i = 0; i < requests; i++) {
  const initials = `${letters[i % 26]}${letters[Math.floor(i / 26) % 26]}`;
  const size = fixedSize ?? 16 + ((i * 37) % 497);
  if (provider) {
    if (!dataUrls({ name: `${initials} ${i}`, size }).startsWith('data:image/png')) throw new Error(`no PNG for name ${i}`);
  } else {
    const bg = (i * 9973).toString(16).padStart(6, '0').slice(-6);
    const body = handler(new URL(`http://localhost/avatars/${initials}.png?size=${size}&bg=${bg}`));
    if (typeof body === 'string') throw new Error(`no PNG for request ${i}: ${body}`);
    await Promise.resolve(body);
  }
  if (gcEvery > 0 && i % gcEvery === 0) gc?.();
  if (i % 50 === 49) peak = Math.max(peak, process.memoryUsage().rss);
  if ((i + 1) % Math.max(1, Math.floor(requests / 10)) === 0) peak = Math.max(peak, sample(i + 1));
}
const msEach = (performance.now() - started) / requests;
// This process's own peak: VmHWM. Not process.resourceUsage().maxRSS, which Linux carries from the
// parent across fork and exec — bench/avatars.ts's own peak would show up as ours.
const maxRss = ((): number => {
  try {
    const hwm = /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hwm !== undefined) return Number(hwm) * 1024;
  } catch {
    // Not Linux: the rusage figure, with the caveat above.
  }
  return process.resourceUsage().maxRSS * 1024;
})();
const what = provider ? 'PNG data URLs for distinct names (one synchronous stretch)' : 'PNG requests to the route';
console.log(`${requests} distinct ${what}, ${fixedSize ?? '16–512'} px, ${inThread ? 'resvg in the main thread (baseline)' : 'resvg in the worker'}${gcEvery ? `, gc() every ${gcEvery}` : ''}: MB after n\n`);
console.log('| requests | rss | heapUsed | external | arrayBuffers |\n| ---: | ---: | ---: | ---: | ---: |');
console.log(rows.join('\n'));
console.log(JSON.stringify({ requests, inThread, provider, gcEvery, size: fixedSize ?? null, before, peak, maxRss, msEach }));
