/**
 * Preloaded (`node -r ./lib/tools/resolve-modelcar.js`) to run examples/typescript inside this repository: it makes
 * `require('modelcar')` load this checkout's build, lib/src/index.js, as Node loads the installed package in a
 * project that depends on modelcar. The example imports modelcar as its users do; tsconfig.json `paths` maps the
 * name for the compiler, and package.json `jest.moduleNameMapper` for the tests.
 */
import Module = require('module');
import * as path from 'path';

const entry = path.resolve(__dirname, '..', 'src', 'index.js');
const internal = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolve = internal._resolveFilename;
internal._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return resolve.call(this, request === 'modelcar' ? entry : request, ...rest);
};
