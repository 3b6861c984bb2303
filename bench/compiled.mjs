// Preloaded by `npm run bench` (node --import ./bench/compiled.mjs): the benches import the
// package's sources (../src, ../adapters), and this hook hands them the compiled build in dist/
// instead — what users run. Through tsx the sources would be transformed with esbuild's
// keepNames, which wraps every function created at run time in a `__name()` call: a per-call
// cost the published package does not have.
import { register } from 'node:module';

register('./compiled-hooks.mjs', import.meta.url);
