/**
 * `shellcheck` on every shell script the reference app ships or runs:
 *  - scripts on the hosts (the bootstrap's write_files and the delivered manifest's files,
 *    selected by their shebang; the host firewall script included),
 *  - each server's bootstrap runcmd, rendered into the script cloud-init runs (argv items
 *    single-quoted like cloud-init's util.shellify, shell lines verbatim, under `#!/bin/sh`),
 *  - each host's setup commands from its manifest (argv run by aiai-converge without a shell; the
 *    `sh -c` ones checked as the shell script they are),
 *  - aiai-converge itself (cloud-init/host/aiai-converge.sh, the bytes every configuration uploads),
 *  - the inline scripts of every remote-exec provisioner (e.g. SecretFiles' install script), which
 *    Terraform runs with the remote user's /bin/sh.
 * Any finding (style level included) fails the test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateLiteralTemplate } from '../../lib/core/terraform-template';
import { referenceApp, referenceServers, resourcesOfType } from '../support/synth';
import { shellcheckTexts } from '../support/shellcheck';
import { describeWithTool, RunResult } from '../support/tools';

const SHELL_SHEBANG = /^#!\s*(?:\/usr)?\/bin\/(?:env\s+)?(sh|bash|dash)\b/;

/** The script cloud-init writes for `runcmd` (mirrors cloudinit.util.shellify). */
export function shellify(runcmd: readonly (string | readonly string[])[]): string {
  let out = '#!/bin/sh\n';
  for (const c of runcmd) {
    out += typeof c === 'string' ? `${c}\n` : `${c.map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(' ')}\n`;
  }
  return out;
}

interface Script {
  readonly title: string;
  readonly text: string;
}

/** The converge script as shipped in the repository. */
const CONVERGE_SOURCE = join(__dirname, '../../cloud-init/host/aiai-converge.sh');

/** A manifest's setup commands as the script they amount to: argv quoted, `sh -c` bodies verbatim. */
function setupScript(commands: readonly (readonly string[])[]): string {
  let out = '#!/bin/sh\n';
  for (const c of commands) out += c.length === 3 && c[0] === 'sh' && c[1] === '-c' ? `${c[2]}\n` : shellify([c]).slice('#!/bin/sh\n'.length);
  return out;
}

describeWithTool('shellcheck', 'shellcheck', 'shellcheck on the reference app scripts', () => {
  const servers = referenceServers();
  const scripts: Script[] = [];
  for (const s of servers) {
    for (const f of s.files) if (SHELL_SHEBANG.test(f.content)) scripts.push({ title: `${s.constructPath}: ${f.path}`, text: f.content });
    scripts.push({ title: `${s.constructPath}: runcmd`, text: shellify(s.cloudConfig.runcmd ?? []) });
    scripts.push({ title: `${s.constructPath}: setup commands`, text: setupScript(s.manifest.commands) });
  }
  const converge = readFileSync(CONVERGE_SOURCE, 'utf8');
  scripts.push({ title: 'cloud-init/host/aiai-converge.sh', text: converge });
  // What each host configuration uploads as aiai-converge (Terraform evaluates the string first).
  const uploadedConverge = resourcesOfType(referenceApp(), 'terraform_data').flatMap(({ stack, config }) =>
    ((config.provisioner ?? []) as Record<string, any>[])
      .filter((p) => p.file?.destination?.endsWith('/aiai-converge'))
      .map((p) => evaluateLiteralTemplate(p.file.content as string, referenceApp().stacks[stack].locals as Record<string, unknown> | undefined)),
  );
  for (const type of ['terraform_data', 'null_resource']) {
    for (const { stack, name, config } of resourcesOfType(referenceApp(), type)) {
      (config.provisioner ?? []).forEach((p: Record<string, any>, i: number) => {
        const inline = p['remote-exec']?.inline as string[] | undefined;
        if (inline) scripts.push({ title: `${stack}/${name}: remote-exec #${i}`, text: `#!/bin/sh\n${inline.join('\n')}\n` });
      });
    }
  }
  const broken: Script = { title: 'broken', text: '#!/bin/sh\nfor f in $(ls $1); do echo $f; done\n' };

  let results: RunResult[] = [];
  beforeAll(async () => {
    // Each distinct text once (the same scripts ship to many hosts; see ../support/shellcheck.ts).
    results = await shellcheckTexts([...scripts, broken].map((s) => s.text));
  }, 120_000);

  test('finds the scripts: aiai-release, the firewall scripts, every runcmd and setup, aiai-converge, the secret install scripts, the release commands', () => {
    const titles = scripts.map((s) => s.title);
    const orchestrators = servers.filter((s) => s.files.some((f) => f.path === '/etc/systemd/system/aiai-orchestrator.service'));
    expect(orchestrators.length).toBeGreaterThanOrEqual(2);
    expect(titles.filter((t) => t.endsWith('/usr/local/lib/aiai/aiai-release'))).toHaveLength(orchestrators.length);
    expect(titles.filter((t) => t.endsWith('/usr/local/lib/aiai/aiai-firewall'))).toHaveLength(servers.length);
    expect(scripts.filter((s) => s.text.includes('sudo /usr/local/lib/aiai/aiai-release ')).length).toBe(orchestrators.length);
    expect(titles.filter((t) => t.endsWith(': runcmd'))).toHaveLength(servers.length);
    expect(titles.filter((t) => t.endsWith(': setup commands'))).toHaveLength(servers.length);
    expect(scripts.filter((s) => s.text.includes('sudo install -m 0600')).length).toBeGreaterThanOrEqual(2);
    // The `sh -c` setup lines are checked as shell, not as one quoted word.
    expect(scripts.find((s) => s.title.endsWith(': setup commands'))!.text).toMatch(/^systemctl disable --now snapd\.service snapd\.socket 2>\/dev\/null \|\| true$/m);
  });

  test('the aiai-converge checked is the one every host configuration uploads', () => {
    expect(uploadedConverge).toHaveLength(servers.length);
    for (const text of uploadedConverge) expect(text).toBe(converge);
    expect(converge.startsWith('#!/bin/bash\n')).toBe(true);
  });

  test.each(scripts.map((s, i) => [s.title, i] as const))('%s is clean', (_title, i) => {
    expect({ status: results[i].status, findings: results[i].stdout + results[i].stderr }).toEqual({ status: 0, findings: '' });
  });

  test('the harness catches unquoted expansions', () => {
    const r = results[scripts.length];
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/SC2086/);
  });

  test('runcmd rendering quotes argv items like cloud-init', () => {
    expect(shellify([['echo', "it's"], 'echo $HOME'])).toBe("#!/bin/sh\n'echo' 'it'\\''s'\necho $HOME\n");
  });
});
