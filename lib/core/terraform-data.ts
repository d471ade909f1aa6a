import { TerraformMetaArguments, TerraformResource, Token } from 'cdktf';
import { Construct } from 'constructs';

/** Arguments of Terraform's built-in `terraform_data` resource. */
export interface TerraformDataProps extends TerraformMetaArguments {
  /**
   * A value stored in state and reflected in `output` after apply; a change is an in-place update.
   * @default - no input
   */
  readonly input?: Readonly<Record<string, unknown>>;
  /**
   * Values stored in state whose change replaces the resource (and so re-runs its create-time
   * provisioners).
   * @default - never replaced by a value change
   */
  readonly triggersReplace?: Readonly<Record<string, unknown>>;
}

/**
 * Terraform's built-in `terraform_data` resource (Terraform >= 1.4, provider
 * `terraform.io/builtin/terraform`), synthesized exactly as cdktf's `DataResource` synthesizes it.
 *
 * cdktf's `DataResource` adds a construct validation that runs `terraform version` in a child
 * process at every synth (`ValidateTerraformVersion` in cdktf/lib/terraform-data-resource.js), so a
 * machine without terraform cannot synthesize at all. Synthesis here needs no terraform: the stacks
 * of the reference app declare `required_version`, which terraform itself enforces at init and plan.
 */
export class TerraformData extends TerraformResource {
  public static readonly tfResourceType = 'terraform_data';

  private readonly inputValue?: Readonly<Record<string, unknown>>;
  private readonly triggersReplaceValue?: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: TerraformDataProps = {}) {
    super(scope, id, {
      terraformResourceType: TerraformData.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'terraform' },
      provider: props.provider,
      dependsOn: props.dependsOn,
      count: props.count,
      lifecycle: props.lifecycle,
      provisioners: props.provisioners,
      connection: props.connection,
      forEach: props.forEach,
    });
    this.inputValue = props.input;
    this.triggersReplaceValue = props.triggersReplace;
  }

  /** The resource's id (a random UUID, new on each replacement). */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** A key of `output` (`input` as it was at the last apply). */
  public outputAttribute(key: string): string {
    return Token.asString(this.interpolationForAttribute(`output.${key}`));
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return { input: this.inputValue, triggers_replace: this.triggersReplaceValue };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const attr = (value: unknown) => ({ value, isBlock: false, type: 'map', storageClassType: 'anyMap' });
    return {
      input: this.inputValue === undefined ? undefined : attr(this.inputValue),
      triggers_replace: this.triggersReplaceValue === undefined ? undefined : attr(this.triggersReplaceValue),
    };
  }
}
