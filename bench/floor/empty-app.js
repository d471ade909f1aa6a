// The floor of `npm run bench`: what node needs to load cdktf and synthesize an empty stack (to CDKTF_OUTDIR).
const { App, TerraformStack } = require('cdktf');

const app = new App();
new TerraformStack(app, 'empty');
app.synth();
