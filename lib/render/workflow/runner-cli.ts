/** How the manager jobs of a pool workflow get the `aiai-runner` CLI. */
import { invalid } from '../../core/validation-error';
import { packageInfo } from '../../runtime/package-info';

/** How the manager jobs get the `aiai-runner` CLI. */
export class RunnerCli {
  /**
   * From the npm registry with `npx`, pinned to a version.
   * @param version @default the version of this package
   * @param packageName @default this package's name (`aiai-hetzner`)
   */
  public static npm(version?: string, packageName?: string): RunnerCli {
    const info = packageInfo();
    const v = version ?? info.version;
    const p = packageName ?? info.name;
    if (!/^[a-z0-9@][a-z0-9@/._-]*$/.test(p) || !/^[0-9A-Za-z.+-]+$/.test(v)) {
      invalid('RunnerCli', 'npm', `${p}@${v}`, 'an npm package name and a version (letters, digits, @ / . _ - and . + - respectively)');
    }
    // --legacy-peer-deps: the CLI needs none of the construct library's peers (cdktf, providers);
    // without it npx installs them too (measured: 472 MB instead of 5 MB).
    return new RunnerCli(`npx --yes --legacy-peer-deps --package=${p}@${v} -- aiai-runner`, false, true);
  }

  /**
   * A command already in the repository (e.g. `node tools/aiai-runner.js` or a vendored build),
   * run after a checkout without persisted credentials.
   */
  public static command(command: string, options: { readonly checkout?: boolean; readonly setupNode?: boolean } = {}): RunnerCli {
    if (command.trim() === '' || /[\n\r]|\$\{\{/.test(command)) {
      invalid('RunnerCli', 'command', command, 'a non-empty command on one line without expressions (${{ }})');
    }
    return new RunnerCli(command.trim(), options.checkout ?? true, options.setupNode ?? true);
  }

  private constructor(
    /** Shell words that run the CLI; the subcommand is appended. */
    public readonly command: string,
    public readonly checkout: boolean,
    public readonly setupNode: boolean,
  ) {}
}
