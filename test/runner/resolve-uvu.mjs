// Module resolve hook, registered by run.ts: test files that import 'uvu' get runner/uvu.ts
// (uvu with its hooks recorded). The wrapper itself, and uvu's own files, get the real uvu.
const wrapper = new URL('./uvu.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL ?? '';
  if (specifier === 'uvu' && parent !== wrapper && !parent.includes('/node_modules/')) {
    return { url: wrapper, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
