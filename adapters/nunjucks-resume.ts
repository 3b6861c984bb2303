/**
 * Where a Nunjucks async filter may wait for storage without cutting the page off.
 *
 * Nunjucks compiles an async filter call into "call the filter with a callback that runs the rest
 * of the template". That works only where the compiler moved the rest of the template into the
 * callback: the body of the template being rendered (and its own `{% block %}`s, `{% if %}`,
 * `{% for %}`). Inside a macro, a `caller()`, an included template, a layout's block (`{% extends %}`)
 * or an imported template, the code around the call carries on synchronously, so a late callback
 * writes into a string that was already returned: the page is silently cut off (mozilla/nunjucks
 * #1252, #1320; an include inside a plain `{% if %}` or `{% for %}` prints nothing, and so does a
 * layout block inside `{% if %}`). Those places cannot be told apart from the safe ones by the
 * filter's arguments, only by who called it — so the filter looks at its call stack (V8's
 * structured stack trace; only when it would have to wait, never on a cache hit).
 */

type CallSite = NodeJS.CallSite;

/** Frames of Nunjucks' own runtime (and the libraries it runs templates through). */
const NUNJUCKS_FILE = /[\\/]node_modules[\\/](?:nunjucks|a-sync-waterfall|asap)[\\/]/;
/** How many frames to look at; a deeper stack is treated as "cannot tell", i.e. do not wait. */
const FRAMES = 128;

/** Compiled template code: Nunjucks builds it with `new Function`, which V8 reports as eval code. */
const isCompiled = (site: CallSite): boolean => site.isEval();
const isNunjucks = (site: CallSite): boolean => NUNJUCKS_FILE.test(site.getFileName() ?? '');

function callSites(from: (...args: never[]) => unknown): CallSite[] {
  const { prepareStackTrace, stackTraceLimit } = Error;
  try {
    Error.stackTraceLimit = FRAMES;
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: CallSite[] } = {};
    Error.captureStackTrace(holder, from);
    return holder.stack ?? [];
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * Whether the filter that called this (`from`: the filter function, left out of the trace) runs
 * where Nunjucks will resume the template when its callback comes: in the top-level template's own
 * compiled code, called by `Template.render` from outside the template (or in the continuation of
 * an earlier wait there). Not inside a macro, an include, a parent layout or an import.
 */
export function canResume(from: (...args: never[]) => unknown): boolean {
  const sites = callSites(from);
  let index = sites.findIndex(isCompiled); // skip the adapter's and the host's (Eleventy's) own frames
  if (index < 0) return false; // not called from a compiled template at all: nothing to resume
  for (; index < sites.length; index++) {
    const site = sites[index] as CallSite;
    const compiled = isCompiled(site);
    if (!compiled && !isNunjucks(site)) return true; // left Nunjucks: the render's caller, or our own resume
    const caller = sites[index + 1];
    const name = site.getFunctionName();
    if (!compiled) {
      if (name === 'macro' || name === 'getExported') return false; // a macro or caller(); an imported template
      // `Template.render` called by template code is an `{% include %}`.
      if (name === 'render' && caller !== undefined && isCompiled(caller)) return false;
    } else if (name === 'root' && (caller === undefined || caller.getFunctionName() !== 'render' || !isNunjucks(caller))) {
      return false; // a template's root run by another template: a parent layout, an import
    }
  }
  return false; // the stack was deeper than we look: cannot tell, so do not wait
}

/** Nunjucks' compiled code for async filters inside `{% call %}` / `{% filter %}` refers to a variable it never declared. */
export function isMiscompiledBlock(error: unknown): boolean {
  return error instanceof ReferenceError && /\bhole_\d+\w* is not defined/.test(error.message);
}
