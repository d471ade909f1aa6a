// Testing.app() leaves a /tmp/cdktf.outdir.* folder per call: remove those created by this run.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
  const tmp = os.tmpdir();
  const before = new Set(JSON.parse(process.env.AIAI_TEST_OUTDIRS_BEFORE || '[]'));
  for (const name of fs.readdirSync(tmp)) {
    if (name.startsWith('cdktf.outdir.') && !before.has(name)) {
      fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
    }
  }
  if (process.env.AIAI_TEST_TMP) fs.rmSync(process.env.AIAI_TEST_TMP, { recursive: true, force: true });
};
