// cdktf's index loads `archiver` (lib/private/fs.js, with its whole dependency tree: about half of
// the time `require('cdktf')` takes) although it only calls it to zip an AssetType.ARCHIVE asset.
// jest.config.js maps `archiver` here: the real module is loaded on first use, unchanged.
const { dirname, join } = require('node:path');

// Not `archiver` itself (that name maps back to this file).
const pkg = require.resolve('archiver/package.json');
const realPath = join(dirname(pkg), require(pkg).main ?? 'index.js');
let real;
const load = () => (real ??= require(realPath));

module.exports = new Proxy(function archiver() {}, {
  apply: (_target, self, args) => load().apply(self, args),
  construct: (_target, args) => new (load())(...args),
  get: (_target, prop) => load()[prop],
  has: (_target, prop) => prop in load(),
});
