/**
 * Terraform evaluates every string of a .tf.json document as a template. Literal text we generate
 * (cloud-config, workflows, scripts) must carry no unescaped `${` or `%{`, or `terraform plan`
 * fails (`${distro_id}` in the unattended-upgrades config did exactly that).
 */
import { decodeUserDataLikeCloudInit, referenceApp, resourcesOfType } from '../support/synth';

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

test('every user_data keeps its ${...} text for cloud-init (escaped as $${...} in a plain JSON string, untouched inside base64)', () => {
  const servers = resourcesOfType(app, 'hcloud_server');
  expect(servers.length).toBeGreaterThan(0);
  for (const r of servers) {
    const json = r.config.user_data as string;
    if (json.startsWith('#cloud-config')) expect(json).toContain('"$${distro_id}:$${distro_codename}"');
    expect(decodeUserDataLikeCloudInit(json).text).toContain('"${distro_id}:${distro_codename}"');
  }
});

test('every other unescaped ${ in the JSON opens a reference or a function call of ours', () => {
  const allowed = /^\$\{(var\.|hcloud_|aws_|github_|terraform_data\.|data\.|join\(|sha256\(|replace\(|!can\()/;
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
