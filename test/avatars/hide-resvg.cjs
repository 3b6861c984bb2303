// Preloaded with --require: makes @resvg/resvg-js unresolvable, as on a machine without the optional dependency.
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@resvg/resvg-js' || request.startsWith('@resvg/')) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
