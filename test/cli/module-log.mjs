// Passed to `node --import`: every module the process loads is named on stderr, one
// "loaded <url>" line each, so that a test can see what a command pulls in.
import { register } from 'node:module';

const hooks = `export async function load(url, context, next) {
  process.stderr.write('loaded ' + url + '\\n');
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
