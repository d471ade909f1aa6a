import { AptSource, BootCommand, HostFile, HostUser } from '../render/cloud-config';
import { HostManifestSpec } from '../render/host-manifest';
import { SystemdUnit } from '../render/systemd';
import { PortRule } from '../network/port-rule';
import { invalid } from '../core/validation-error';

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
  private readonly portRules: PortRule[] = [];
  private readonly services: string[] = [];
  private readonly serviceUserGroups: string[] = [];

  public addPackages(...names: string[]): this {
    for (const n of names) if (!this.packages.includes(n)) this.packages.push(n);
    return this;
  }

  public addAptSource(source: AptSource): this {
    if (!this.aptSources.some((s) => s.name === source.name)) this.aptSources.push(source);
    return this;
  }

  public addUser(user: HostUser): this {
    if (this.users.some((u) => u.name === user.name)) invalid('HostConfig', 'users', user.name, 'a user not added twice');
    this.users.push(user);
    return this;
  }

  public addGroup(name: string): this {
    if (!this.groups.includes(name)) this.groups.push(name);
    return this;
  }

  public addFile(file: HostFile): this {
    if (this.files.some((f) => f.path === file.path)) invalid('HostConfig', 'files', file.path, 'a file path not added twice');
    this.files.push(file);
    return this;
  }

  public addUnit(unit: SystemdUnit): this {
    if (this.units.some((u) => u.name === unit.name)) invalid('HostConfig', 'units', unit.name, 'a unit not added twice');
    this.units.push(unit);
    return this;
  }

  /**
   * Runs on every converge, after files are written and before units start (e.g. mkdir, an
   * installer that checks what is there): it must be idempotent.
   */
  public addSetupCommand(cmd: BootCommand): this {
    this.setupCommands.push(cmd);
    return this;
  }

  /** Keeps a unit that a package installs enabled and running (restarted when its files change). */
  public addService(...units: string[]): this {
    for (const u of units) if (!this.services.includes(u)) this.services.push(u);
    return this;
  }

  /** The service user joins `group` (once its package created it, e.g. `docker`). */
  public addServiceUserGroup(group: string): this {
    if (!this.serviceUserGroups.includes(group)) this.serviceUserGroups.push(group);
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

  /** What is delivered to the running host (see `renderHostManifest`). */
  public toManifestSpec(hostname: string, serviceUser: string): HostManifestSpec {
    return {
      hostname,
      serviceUser,
      serviceUserGroups: [...this.serviceUserGroups],
      groups: [...this.groups],
      users: [...this.users],
      aptSources: [...this.aptSources],
      packages: [...this.packages],
      files: [...this.files],
      units: [...this.units],
      services: [...this.services],
      commands: [...this.setupCommands],
    };
  }
}
