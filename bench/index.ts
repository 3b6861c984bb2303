/**
 * `npm run bench`: every benchmark, one after the other, each printing ratios measured side by side
 * in the same run (never absolute targets checked by tests).
 */
import os from 'node:os';

// `npm run bench` preloads bench/compiled.mjs, which swaps the sources for the compiled build.
const code = import.meta.resolve('../src/index.js').includes('/dist/') ? 'the compiled package (dist/)' : 'the TypeScript sources through tsx';
console.log(`# logo-fallback bench — Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${os.platform()} ${os.arch()}; measuring ${code}\n`);
await import('./render.js');
await import('./requests.js');
await import('./cold-disk.js');
await import('./avatars.js');
await import('./audit.js');
await import('./replicas.js');
