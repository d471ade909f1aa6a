#!/usr/bin/env bash
# Proves the library works as a package: build, `npm pack`, install the tarball into a fresh project
# next to cdktf and constructs, type-check a consumer stack against the shipped .d.ts files, synthesize
# it, and check the Terraform JSON it wrote; import the root and the subpath exports (node16 and node10
# resolution; deep dist/ paths closed); run both CLIs (aiai-runner, aiai-ops) from the package; install
# the example project (examples/) from the tarball, synthesize it and run terraform validate + plan on it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/aiai-pack-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$root"
npm run --silent build
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "pack-test: packed $tarball ($(du -k "$work/$tarball" | cut -f1) KiB)"

consumer="$work/consumer"
mkdir -p "$consumer"
cd "$consumer"
node -e '
const root = require(process.argv[1] + "/package.json");
const peers = root.peerDependencies;
const pkg = { name: "consumer", version: "1.0.0", private: true,
  dependencies: { "aiai-hetzner": "file:../" + process.argv[2], cdktf: peers.cdktf, constructs: peers.constructs } };
require("fs").writeFileSync("package.json", JSON.stringify(pkg, null, 2));
' "$root" "$tarball"
npm install --prefer-offline --no-audit --no-fund --loglevel=error > install.log 2>&1 || { cat install.log; exit 1; }

cat > stack.ts <<'TS'
import { App, TerraformStack } from 'cdktf';
import { AdminAccess, AiaiOrchestrator, HcloudProvider, PrivateNetwork, secretVariable, ValidationError } from 'aiai-hetzner';
import type { SystemdUnit } from 'aiai-hetzner';
import { renderSystemdUnit } from 'aiai-hetzner/render';

const app = new App({ outdir: 'out' });
const stack = new TerraformStack(app, 'consumer');
new HcloudProvider(stack, 'hcloud', { token: secretVariable(stack, 'hcloud_token', { description: 'token' }).stringValue });
const network = new PrivateNetwork(stack, 'Net', { name: 'consumer-net' });
const access = new AdminAccess(stack, 'Access', {
  sshPublicKeys: { ops: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOsbTQigH4tHGtjCYMX5OdD1HLNPlzKVmeBauS5oRfGr ops' },
  adminCidrs: ['198.51.100.0/24'],
});
const key = secretVariable(stack, 'openrouter_api_key', { description: 'OpenRouter key' });
new AiaiOrchestrator(stack, 'Orchestrator', {
  environment: 'staging',
  network,
  access,
  repositoryUrl: 'https://example.com/agents.git',
  standby: false,
  secretEnvironment: { OPENROUTER_API_KEY: key.stringValue },
});
const e: ValidationError | undefined = undefined;
void e;
// A renderer through the subpath export (the root does not carry renderers).
const unit: SystemdUnit = { name: 'consumer.service', sections: { Service: { ExecStart: '/bin/true' } } };
if (!renderSystemdUnit(unit).includes('ExecStart=/bin/true')) throw new Error('aiai-hetzner/render: renderSystemdUnit');
app.synth();
TS
# Type-check the consumer against the packaged declarations, then run it as plain JavaScript.
"$root/node_modules/.bin/tsc" --strict --noEmit --skipLibCheck false --module node16 --moduleResolution node16 --target es2022 --types node --typeRoots "$root/node_modules/@types" stack.ts
"$root/node_modules/.bin/tsc" --strict --module node16 --moduleResolution node16 --target es2022 --skipLibCheck --types node --typeRoots "$root/node_modules/@types" stack.ts
node stack.js
# The runner CLI from the package: its bin entry works and it finds its runtime assets.
./node_modules/.bin/aiai-runner --help | head -n 1 | grep -q '^aiai-runner ' || { echo "pack-test: aiai-runner --help failed"; exit 1; }
# The operator CLI from the package: --help works; without a token it exits 3 (config) before any request.
./node_modules/.bin/aiai-ops --help | head -n 1 | grep -q '^aiai-ops ' || { echo "pack-test: aiai-ops --help failed"; exit 1; }
set +e
env -u HCLOUD_TOKEN ./node_modules/.bin/aiai-ops status --environment production > ops.out 2>&1
ops_code=$?
set -e
[ "$ops_code" = 3 ] && grep -q 'HCLOUD_TOKEN is not set' ops.out || { echo "pack-test: aiai-ops without a token exited $ops_code:"; cat ops.out; exit 1; }
echo "pack-test: aiai-ops CLI OK"
node -e '
const { renderRunnerUserData, PINNED_ACTIONS_RUNNER } = require("aiai-hetzner/runner-manager");
const ud = renderRunnerUserData({ name: "ci-1-1-a", encodedJitConfig: Buffer.from("{}").toString("base64"), architecture: "x64", actionsRunner: PINNED_ACTIONS_RUNNER });
if (!ud.includes("install-runner")) throw new Error("runner user_data lacks the install script");
console.log("pack-test: aiai-runner CLI and its runtime assets OK");
'
node -e '
const j = require("./out/stacks/consumer/cdk.tf.json");
const servers = Object.values(j.resource.hcloud_server || {});
if (servers.length !== 1) throw new Error("expected 1 server, got " + servers.length);
if (!String(servers[0].user_data).startsWith("#cloud-config")) throw new Error("user_data is not cloud-config");
if (!j.resource.hcloud_load_balancer) throw new Error("no load balancer");
console.log("pack-test: consumer synthesized " + Object.keys(j.resource).length + " resource types; OK");
'
# The exports map is in force: deep paths into dist/ are closed; the older `node` resolution finds the
# subpaths' declarations through typesVersions.
node -e '
try { require("aiai-hetzner/dist/lib/index.js"); } catch (e) { if (e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") { console.log("pack-test: deep import blocked by exports; OK"); process.exit(0); } throw e; }
throw new Error("deep import into dist/ resolved despite the exports map");
'
cat > node10.ts <<'TS'
import { Ports } from 'aiai-hetzner';
import { renderSystemdUnit } from 'aiai-hetzner/render';
import { main } from 'aiai-hetzner/operator';
import { referenceConfig } from 'aiai-hetzner/app';
export const used = [Ports, renderSystemdUnit, main, referenceConfig];
TS
"$root/node_modules/.bin/tsc" --strict --noEmit --skipLibCheck --module commonjs --moduleResolution node10 --target es2022 --types node --typeRoots "$root/node_modules/@types" node10.ts
echo "pack-test: root and subpaths type-check with node10 resolution; OK"
# The lifecycle program ships in the package and lands in the stack folder local-exec runs in.
node -e '
const fs = require("fs");
const { App, TerraformStack } = require("cdktf");
const { BucketLifecycle } = require("aiai-hetzner");
const app = new App({ outdir: "lc-out" });
const stack = new TerraformStack(app, "lc");
new BucketLifecycle(stack, "rules", { bucketName: "acme-pack-test", location: "fsn1", rules: [{ id: "expire", expirationDays: 1 }] });
app.synth();
const j = require("./lc-out/stacks/lc/cdk.tf.json");
const cmd = Object.values(j.resource.terraform_data)[0].provisioner[0]["local-exec"].command;
if (!fs.existsSync("lc-out/stacks/lc/" + cmd)) throw new Error("lifecycle program not copied into the stack: " + cmd);
console.log("pack-test: lifecycle program shipped and copied to " + cmd + "; OK");
'
# The example project (examples/runner-pool-in-existing-network): installed from the same tarball
# the way its README says (the tarball beside the repository's examples folder), synthesized, then
# terraform validate + plan on its JSON with the offline stand-in providers (scripts/plan-example.ts).
example=runner-pool-in-existing-network
mkdir -p "$work/examples"
cp -R "$root/examples/$example" "$work/examples/$example"
rm -rf "$work/examples/$example/node_modules" "$work/examples/$example/cdktf.out" "$work/examples/$example/dist"
cp "$work/$tarball" "$work/aiai-hetzner.tgz"
cd "$work/examples/$example"
example_start=$(date +%s)
npm install --prefer-offline --no-audit --no-fund --loglevel=error > install.log 2>&1 || { cat install.log; exit 1; }
npm run --silent synth
example_json="$work/examples/$example/cdktf.out/stacks/runners/cdk.tf.json"
[ -f "$example_json" ] || { echo "pack-test: the example wrote no $example_json"; exit 1; }
echo "pack-test: example $example installed from the tarball and synthesized in $(( $(date +%s) - example_start ))s"
cd "$root"
node --import tsx scripts/plan-example.ts "$example_json"
