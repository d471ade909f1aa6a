// Test order for jest (jest.config.js testSequencer): the slowest files first, so that the workers
// finish together instead of one worker starting the day-2 plans when the others are done.
// jest's own sequencer orders by the durations of the previous run on this machine (its cache) and
// else by file size; on a fresh checkout (CI) it has no cache, so this falls back to
// test-durations.json (seconds of CPU per file, measured; `node scripts/test-profile.mjs` rewrites
// it). A file in neither runs first, as with jest's own sequencer.
const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const root = join(__dirname, '..', '..');
let committed;
function committedDurations() {
  if (committed === undefined) {
    try {
      committed = JSON.parse(readFileSync(join(__dirname, 'test-durations.json'), 'utf8')).files;
    } catch {
      committed = {};
    }
  }
  return committed;
}

class SlowestFirst extends Sequencer {
  time(test) {
    return super.time(test) ?? committedDurations()[relative(root, test.path)];
  }
}

module.exports = SlowestFirst;
