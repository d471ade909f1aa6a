import { IAspect, TerraformResource } from 'cdktf';
import { AiaiStack } from '../core/aiai-stack';
import { IConstruct } from 'constructs';
import { STATEFUL_HCLOUD_RESOURCE_TYPES } from '../core/stateful-types';

export { STATEFUL_HCLOUD_RESOURCE_TYPES };

export interface StatefulResourceProtectionProps {
  /**
   * Set Hetzner's own `delete_protection = true` (the API refuses deletion, whatever tool asks).
   * On primary IPs this also sets `auto_delete = false`, so deleting a server keeps its IP.
   * @default true
   */
  readonly deleteProtection?: boolean;
  /**
   * Set `lifecycle { prevent_destroy = true }` (terraform refuses any plan that deletes or
   * replaces the resource).
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Resource types to protect.
   * @default STATEFUL_HCLOUD_RESOURCE_TYPES
   */
  readonly resourceTypes?: readonly string[];
}

/**
 * Aspect that protects stateful Hetzner resources in a stack from accidental deletion:
 * `Aspects.of(stack).add(new StatefulResourceProtection())`.
 *
 * Scratch environments simply do not add it (or pass `{ deleteProtection: false, preventDestroy: false }`).
 * Deleting a protected resource on purpose: remove the protection, apply, then delete.
 */
export class StatefulResourceProtection implements IAspect {
  private readonly types: ReadonlySet<string>;
  private readonly deleteProtection: boolean;
  private readonly preventDestroy: boolean;

  constructor(props: StatefulResourceProtectionProps = {}) {
    this.types = new Set(props.resourceTypes ?? STATEFUL_HCLOUD_RESOURCE_TYPES);
    this.deleteProtection = props.deleteProtection ?? true;
    this.preventDestroy = props.preventDestroy ?? true;
    // It reports each resource it changes (an AiaiStack resolves only those again).
    AiaiStack.aspectReportsChanges(this);
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !this.types.has(node.terraformResourceType)) return;
    if (this.deleteProtection) {
      node.addOverride('delete_protection', true);
      if (node.terraformResourceType === 'hcloud_primary_ip') node.addOverride('auto_delete', false);
    }
    if (this.preventDestroy) {
      node.lifecycle = { ...(node.lifecycle ?? {}), preventDestroy: true };
    }
    if (this.deleteProtection || this.preventDestroy) AiaiStack.elementChanged(node);
  }
}
