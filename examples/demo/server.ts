/**
 * `npm run demo`: the logo-fallback demo app. Settings come from the environment (see config.ts
 * and examples/deploy/.env.production.example): PORT, HOST, DATA_DIR, MEDIA_ROOT, ENGINE, AVATARS,
 * MEDIA_ACCEL_PREFIX, REDIS_URL.
 */
import { readConfig } from './config.js';
import { startDemo } from './start.js';

let config;
try {
  config = readConfig();
} catch (error) {
  console.error(`demo: ${(error as Error).message}`);
  process.exit(2);
}
const demo = await startDemo(config).catch((error: NodeJS.ErrnoException) => {
  const unwritable = ['EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'].includes(error.code ?? '');
  const hint =
    error.code === 'EADDRINUSE'
      ? ` (port ${config.port} is taken: set PORT to another one)`
      : unwritable
        ? ` (can uid ${process.getuid?.() ?? '?'} write DATA_DIR and MEDIA_ROOT? logo-fallback doctor --media-root ${config.mediaRoot} --data-dir ${config.dataDir} tells)`
        : '';
  console.error(`demo: cannot start: ${error.message}${hint}`);
  process.exit(1);
});
console.log(`logo-fallback demo: ${demo.url}`);
console.log(`  engine ${config.engine}, avatars ${config.avatars}; data ${config.dataDir}, media ${config.mediaRoot}${demo.seeded ? ' (seeded with the fixture companies)' : ''}`);
if (demo.pngUnavailable !== undefined) console.warn(`demo: the e-mail column shows SVG avatars: ${demo.pngUnavailable}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void demo.close().then(() => process.exit(0));
  });
}
