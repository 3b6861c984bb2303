// Module resolution hook (see compiled.mjs): <repo>/src/**/*.ts and <repo>/adapters/**/*.ts → the
// same module under <repo>/dist, built by `npm run build` first.
const repo = new URL('../', import.meta.url).href;
const SOURCE = new RegExp(`^${repo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(src|adapters)/(.*)\\.ts$`);

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const match = SOURCE.exec(result.url);
  return match === null ? result : { ...result, url: `${repo}dist/${match[1]}/${match[2]}.js` };
}
