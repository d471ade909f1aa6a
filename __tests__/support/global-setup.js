// Records which /tmp/cdktf.outdir.* folders existed before the run, so teardown removes only ours.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
  const tmp = os.tmpdir();
  const before = fs.readdirSync(tmp).filter((n) => n.startsWith('cdktf.outdir.'));
  process.env.AIAI_TEST_OUTDIRS_BEFORE = JSON.stringify(before);
  process.env.AIAI_TEST_TMP = path.join(tmp, `aiai-test-${process.pid}`);
  fs.mkdirSync(process.env.AIAI_TEST_TMP, { recursive: true });
};
