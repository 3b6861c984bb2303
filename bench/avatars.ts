/**
 * Avatar generation: `initialsAvatar()` against DiceBear's initials style (`@dicebear/core` 10 with
 * `@dicebear/styles`), both producing a `data:` URL, for a name never seen before and for a
 * repeated name. Printed as ratios measured in the same run; nothing here is asserted.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Avatar, Style } from '@dicebear/core';
import initialsStyle from '@dicebear/styles/initials.json' with { type: 'json' };
import { initialsAvatar } from '../src/avatars/svg.js';
import { uiAvatars } from '../src/avatars/ui-avatars.js';
import { createLogoResolver } from '../src/resolver.js';
import { fsStorage } from '../src/storage/fs.js';
import { measure, printTable } from './measure.js';

const BATCH = 200;
const FIRST = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Ørsted', 'Société', 'Müller', '株式会社トヨタ', 'محمد', 'Nguyễn', 'Zoë'];
const LAST = ['Corp', 'Holdings', 'Logistics', 'Bakery', 'Systems', 'A/S', 'Générale', 'GmbH', 'Partners', 'علي', 'Văn An', 'Labs'];

let serial = 0;
/** A name no provider has seen: memo caches cannot help. */
function freshName(): string {
  serial++;
  return `${FIRST[serial % FIRST.length]} ${serial.toString(36)} ${LAST[(serial >> 3) % LAST.length]}`;
}

const style = new Style(initialsStyle as ConstructorParameters<typeof Style>[0]);
const dicebear = (name: string): string => new Avatar(style, { seed: name, size: 64 }).toDataUri();
const ours = initialsAvatar();
const remote = uiAvatars();
const repeated = 'Hewlett-Packard Enterprise';

/**
 * Hostile names, distinct prefixes (so no memo helps), built flat once (slicing a rope would time
 * V8's flattening, not ours): 10,000 combining marks, 1 MB, 50,000 ZWJ-joined emoji. Each round
 * draws them with a new provider, so every call is a new name.
 */
const flat = (text: string): string => Buffer.from(text, 'utf16le').toString('utf16le');
const HOSTILE: string[] = [];
for (let i = 0; i < 20; i++) {
  HOSTILE.push(flat(`${i} a${'\u0301'.repeat(10_000)}`), flat(`${i} ${'x'.repeat(1_000_000)}`), flat(`${i} ${'👩\u200d'.repeat(50_000)}`));
}
const hostileRound = (): number => {
  const provider = initialsAvatar();
  let length = 0;
  for (const name of HOSTILE) length += provider({ name }).length;
  return length;
};

const batch = (draw: (name: string) => string, name?: string) => (): number => {
  let length = 0;
  for (let i = 0; i < BATCH; i++) length += draw(name ?? freshName()).length;
  return length;
};

const times = measure(
  [
    { name: 'initialsAvatar, new name', run: batch((name) => ours({ name })) },
    { name: 'DiceBear initials, new name', run: batch(dicebear) },
    { name: 'initialsAvatar, repeated name', run: batch((name) => ours({ name }), repeated) },
    { name: 'DiceBear initials, repeated name', run: batch(dicebear, repeated) },
    { name: 'uiAvatars() URL, new name', run: batch((name) => remote({ name })) },
    { name: 'initialsAvatar, new hostile name', run: hostileRound },
  ],
  { rounds: 60, warmup: 20 },
);

const us = (name: string): number => ((times.get(name) ?? Number.NaN) * 1000) / (name.includes('hostile') ? HOSTILE.length : BATCH);
const ratio = (baseline: string, variant: string): string => `${(us(baseline) / us(variant)).toFixed(1)}×`;
const sample = ours({ name: 'Hewlett-Packard' });
console.log('## Avatars: initialsAvatar() vs DiceBear 10 initials (data: URL per call)\n');
printTable(
  ['case', 'initialsAvatar µs/call', 'DiceBear µs/call', 'initialsAvatar is faster by'],
  [
    ['new name', us('initialsAvatar, new name').toFixed(2), us('DiceBear initials, new name').toFixed(2), ratio('DiceBear initials, new name', 'initialsAvatar, new name')],
    ['repeated name (memoised)', us('initialsAvatar, repeated name').toFixed(3), us('DiceBear initials, repeated name').toFixed(2), ratio('DiceBear initials, repeated name', 'initialsAvatar, repeated name')],
  ],
);
console.log(`A new hostile name (10,000 combining marks, 1 MB, 50,000 ZWJ emoji; names are cut to 256 code units first): ${us('initialsAvatar, new hostile name').toFixed(2)} µs/call, ${(us('initialsAvatar, new hostile name') / us('initialsAvatar, new name')).toFixed(1)}× a new ordinary name.`);
// Through the resolver: a repeated name is a memo hit whatever its length (the name is cut to its
// avatar cut before any scan), and the display name of a long one is memoised by the name itself.
const resolver = createLogoResolver({ storage: fsStorage({ root: fileURLToPath(new URL('../fixtures/media/', import.meta.url)), baseUrl: '/media/' }) });
const REPEATED: Record<string, string> = {
  'ordinary name': 'Hewlett-Packard Enterprise',
  '10,000 combining marks': `A${'\u0301'.repeat(10_000)}`,
  '3,000 ZWJ emoji': '👨\u200d👩\u200d👧'.repeat(1_000),
  '1 MB of letters': 'x'.repeat(1_000_000),
};
const RESOLVER_BATCH = 1_000;
const repeatedTimes = measure(
  Object.entries(REPEATED).flatMap(([label, company]) => {
    const record = { company };
    return [
      { name: `logo: ${label}`, run: () => { let n = 0; for (let i = 0; i < RESOLVER_BATCH; i++) n += resolver.logo(record).length; return n; } },
      { name: `name: ${label}`, run: () => { let n = 0; for (let i = 0; i < RESOLVER_BATCH; i++) n += resolver.name(record).length; return n; } },
    ];
  }),
  { rounds: 30, warmup: 10 },
);
const perCall = (name: string): number => ((repeatedTimes.get(name) ?? Number.NaN) * 1000) / RESOLVER_BATCH;
console.log(`\n## A repeated name through the resolver (logos.logo(record) with no file: the avatar; logos.name(record)), ${RESOLVER_BATCH} calls a round\n`);
printTable(
  ['name', 'logo() µs/call', 'name() µs/call', 'logo() vs an ordinary name'],
  Object.keys(REPEATED).map((label) => [
    label,
    perCall(`logo: ${label}`).toFixed(3),
    perCall(`name: ${label}`).toFixed(3),
    `${(perCall(`logo: ${label}`) / perCall('logo: ordinary name')).toFixed(2)}×`,
  ]),
);
console.log(`uiAvatars() URL for a new name: ${us('uiAvatars() URL, new name').toFixed(2)} µs/call (no drawing: the third party draws it).`);
console.log(`Sizes: initialsAvatar SVG ${decodeURIComponent(sample.slice(sample.indexOf(',') + 1)).length} B, data: URL ${sample.length} chars; DiceBear SVG ${new Avatar(style, { seed: 'Hewlett-Packard', size: 64 }).toString().length} B, data: URL ${dicebear('Hewlett-Packard').length} chars.\n`);

// PNG avatars: initialsAvatar({ format: 'png' }) against DiceBear's PNG converter (@dicebear/converter,
// which rasterises with resvg too), the same names at the same size; then the memory of distinct
// PNG requests and data URLs.
const { toPng } = await import('@dicebear/converter');
const PNG_SIZE = 128;
const pngProvider = initialsAvatar({ format: 'png', size: PNG_SIZE, systemFonts: false });
const pngNames = Array.from({ length: 40 }, () => freshName());
const timeAsync = async (names: readonly string[], draw: (name: string) => Promise<unknown> | unknown): Promise<number> => {
  const start = performance.now();
  for (const name of names) await draw(name);
  return (performance.now() - start) / names.length;
};
await timeAsync(pngNames.slice(0, 3).map((name) => `${name} warm`), (name) => toPng(new Avatar(style, { seed: name, size: PNG_SIZE }).toString()).toArrayBuffer());
pngProvider({ name: 'warm-up' });
const diceBearPng = await timeAsync(pngNames.slice(0, 10), (name) => toPng(new Avatar(style, { seed: name, size: PNG_SIZE }).toString()).toArrayBuffer());
const oursPng = await timeAsync(pngNames, (name) => pngProvider({ name }));
const memoPng = await timeAsync(Array.from({ length: 2000 }, () => pngNames[0] as string), (name) => pngProvider({ name }));
console.log(`## PNG avatars: initialsAvatar({ format: 'png' }) vs DiceBear 10's PNG converter (${PNG_SIZE} px)\n`);
printTable(
  ['case', 'initialsAvatar ms/avatar', 'DiceBear toPng ms/avatar', 'initialsAvatar is faster by'],
  [
    ['new name', oursPng.toFixed(2), diceBearPng.toFixed(1), `${(diceBearPng / oursPng).toFixed(0)}×`],
    ['repeated name (memoised)', memoPng.toFixed(4), diceBearPng.toFixed(1), `${(diceBearPng / memoPng).toFixed(0)}×`],
  ],
);
// Memory: each run in a process of its own (bench/png-memory.ts), so that nothing measured above
// inflates its RSS; the baseline draws with resvg in the main thread, as the route did before.
const memoryRun = (...args: string[]): { before: number; peak: number; maxRss: number; msEach: number } => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./png-memory.ts', import.meta.url)), ...args], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as { before: number; peak: number; maxRss: number; msEach: number };
};
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
console.log('PNG memory (bench/png-memory.ts, each run in a fresh process; peak = the process\'s max RSS):\n');
const memoryRows: string[][] = [];
// The baseline of the 5,000-request row is left out: it grows on (+450 MB per 1,000), 2.4 GB.
for (const [label, args, baseline] of [
  ['1,000 distinct PNG requests to the route, 16–512 px', ['1000'], true],
  ['5,000 distinct PNG requests to the route, 16–512 px', ['5000'], false],
  ['1,000 distinct PNG data URLs in one synchronous stretch, 512 px', ['1000', '--provider', '--size', '512'], true],
] as const) {
  const worker = memoryRun(...args);
  const inThread = baseline ? memoryRun(...args, '--in-thread') : undefined;
  memoryRows.push([label, mb(worker.before), mb(worker.maxRss), inThread ? mb(inThread.maxRss) : '(not run)', worker.msEach.toFixed(1), inThread ? inThread.msEach.toFixed(1) : '']);
}
printTable(['case', 'RSS before', 'peak RSS, worker', 'peak RSS, resvg in the main thread', 'ms each, worker', 'ms each, main thread'], memoryRows);
