/**
 * `npm run bench`: every benchmark, one after the other, each printing ratios measured side by side
 * in the same run (never absolute targets checked by tests).
 */
import os from 'node:os';

console.log(`# logo-fallback bench — Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${os.platform()} ${os.arch()}\n`);
await import('./render.js');
await import('./requests.js');
await import('./cold-disk.js');
await import('./avatars.js');
await import('./audit.js');
