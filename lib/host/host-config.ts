import { AptSource, BootCommand, CloudConfigSpec, HostFile, HostUser } from '../render/cloud-config';
import { SystemdUnit } from '../render/systemd';
import { PortRule } from '../network/port-rule';

/**
 * The typed description of everything on one host, merged from fragments (hardening, node
 * exporter, log shipping, the role's services). The host base renders it once into cloud-init.
 */
export class HostConfig {
  private readonly packages: string[] = [];
  private readonly aptSources: AptSource[] = [];
  private readonly users: HostUser[] = [];
  private readonly groups: string[] = [];
  private readonly files: HostFile[] = [];
  private readonly units: SystemdUnit[] = [];
  private readonly setupCommands: BootCommand[] = [];
  private readonly finalCommands: BootCommand[] = [];
  private readonly portRules: PortRule[] = [];

  public addPackages(...names: string[]): this {
    for (const n of names) if (!this.packages.includes(n)) this.packages.push(n);
    return this;
  }

  public addAptSource(source: AptSource): this {
    if (!this.aptSources.some((s) => s.name === source.name)) this.aptSources.push(source);
    return this;
  }

  public addUser(user: HostUser): this {
    if (this.users.some((u) => u.name === user.name)) throw new Error(`user ${user.name} is added twice`);
    this.users.push(user);
    return this;
  }

  public addGroup(name: string): this {
    if (!this.groups.includes(name)) this.groups.push(name);
    return this;
  }

  public addFile(file: HostFile): this {
    if (this.files.some((f) => f.path === file.path)) throw new Error(`file ${file.path} is added twice`);
    this.files.push(file);
    return this;
  }

  public addUnit(unit: SystemdUnit): this {
    if (this.units.some((u) => u.name === unit.name)) throw new Error(`unit ${unit.name} is added twice`);
    this.units.push(unit);
    return this;
  }

  /** Runs after files are written and before units are enabled (e.g. clone, venv, mkdir). */
  public addSetupCommand(cmd: BootCommand): this {
    this.setupCommands.push(cmd);
    return this;
  }

  /** Runs after units are enabled and started (e.g. restarting sshd last). */
  public addFinalCommand(cmd: BootCommand): this {
    this.finalCommands.push(cmd);
    return this;
  }

  /** Opens a port on the host (ufw) and, for public sources, in the role's cloud firewall. */
  public allowPort(rule: PortRule): this {
    this.portRules.push(rule);
    return this;
  }

  public get ports(): readonly PortRule[] {
    return this.portRules;
  }

  public get unitList(): readonly SystemdUnit[] {
    return this.units;
  }

  public get fileList(): readonly HostFile[] {
    return this.files;
  }

  /** The cloud-config spec; `firewallCommands` come first so the host is closed before services start. */
  public toSpec(hostname: string, firewallCommands: readonly BootCommand[]): CloudConfigSpec {
    return {
      hostname,
      packages: [...this.packages],
      aptSources: [...this.aptSources],
      users: [...this.users],
      groups: [...this.groups],
      files: [...this.files],
      units: [...this.units],
      commands: [...firewallCommands, ...this.setupCommands],
      finalCommands: [...this.finalCommands],
    };
  }
}
