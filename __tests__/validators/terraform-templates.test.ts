/**
 * Terraform evaluates every string of a .tf.json document as a template. Literal text we generate
 * (cloud-config, host manifests, workflows, scripts) must carry no unescaped `${` or `%{`, or
 * `terraform plan` fails (`${distro_id}` in the unattended-upgrades config did exactly that).
 */
import { inlineTemplateLocals, unescapeTerraformTemplate } from '../../lib/core/terraform-template';
import { decodeUserDataLikeCloudInit, deliveredManifest, referenceApp, resourcesOfType } from '../support/synth';

const app = referenceApp();

/** Unescaped interpolation or directive openers: `${` not preceded by `$`, `%{` not preceded by `%`. */
function unescaped(text: string): string[] {
  return [...text.matchAll(/(?<![$%])(\$\{|%\{)[^}]{0,40}/g)].map((m) => m[0]);
}

test.each(resourcesOfType(app, 'hcloud_server').map((r) => [`${r.stack}/${r.name}`, r.config.user_data as string] as const))(
  '%s user_data has no template syntax for Terraform to evaluate',
  (_name, userData) => {
    expect(unescaped(userData)).toEqual([]);
  },
);

test('every user_data is the plain bootstrap, which Terraform passes through unchanged', () => {
  const servers = resourcesOfType(app, 'hcloud_server');
  expect(servers.length).toBeGreaterThan(0);
  for (const r of servers) {
    const json = r.config.user_data as string;
    expect(decodeUserDataLikeCloudInit(json).encoding).toBe('plain');
    expect(unescapeTerraformTemplate(json)).toBe(json);
  }
});

test('the delivered manifest keeps its ${...} text for the host (escaped as $${...} in the upload)', () => {
  const servers = resourcesOfType(app, 'hcloud_server');
  for (const r of servers) {
    const { resource, manifest } = deliveredManifest(app.stacks[r.stack], r.name);
    const stack = app.stacks[r.stack];
    // Shared file entries are Terraform locals (lib/core/shared-text.ts): the upload as one template.
    const upload = inlineTemplateLocals((stack.resource!.terraform_data[resource].provisioner as Record<string, any>[]).find((p) => p.file?.destination?.endsWith('/host-manifest.json'))!.file.content as string, stack.locals as Record<string, unknown> | undefined);
    expect(upload).toContain('\\"$${distro_id}:$${distro_codename}\\"');
    const unattended = manifest.files.find((f) => f.path === '/etc/apt/apt.conf.d/52unattended-upgrades-aiai');
    expect(unattended?.content).toContain('"${distro_id}:${distro_codename}"');
  }
});

test('every other unescaped ${ in the JSON opens a reference or a function call of ours', () => {
  // `self.` only in destroy-time provisioners, which may read nothing else (DataVolume's unmount step).
  // `local.aiai_text_…` is a shared text (lib/core/shared-text.ts), whose local is escaped like the rest.
  const allowed = /^\$\{(var\.|self\.input\.|hcloud_|aws_|github_|terraform_data\.|data\.|join\(|sha256\(|replace\(|!can\(|local\.aiai_text_[0-9a-f]{16}$)/;
  const offenders: string[] = [];
  for (const raw of Object.values(app.rawStacks)) {
    const strings: string[] = [];
    JSON.parse(raw, (_k, v) => {
      if (typeof v === 'string') strings.push(v);
      return v;
    });
    for (const s of strings) for (const hit of unescaped(s)) if (!allowed.test(hit)) offenders.push(hit);
  }
  expect(offenders).toEqual([]);
});

test('${self.…} appears only in destroy-time provisioners (the only place Terraform allows it)', () => {
  let seen = 0;
  for (const json of Object.values(app.stacks)) {
    for (const byName of Object.values(json.resource ?? {})) {
      for (const { provisioner, ...rest } of Object.values(byName)) {
        expect(JSON.stringify(rest)).not.toContain('${self.');
        for (const p of (provisioner ?? []) as Record<string, Record<string, unknown>>[]) {
          for (const body of Object.values(p)) {
            if (!JSON.stringify(body).includes('${self.')) continue;
            expect(body.when).toBe('destroy');
            seen++;
          }
        }
      }
    }
  }
  expect(seen).toBeGreaterThan(0);
});
