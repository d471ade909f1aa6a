import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { shareTerraformDuringValidation, validationTerraform } from '../core/validation-terraform';
import { PropValidator, requireProps, ValidationError } from '../core/validation-error';
import { DEFAULT_RUNNER_HOURS, estimateStackCost, StackCostEstimate } from './estimate';
import { formatCostEstimate } from './format';
import { CURRENT_PRICE_CATALOG, PRICE_CATALOGS } from './price-catalog';

export interface CostBudgetProps {
  /** Most the stack may cost per month, in EUR (excl. VAT). */
  readonly monthlyEur: number;
  /** Price catalog id. @default CURRENT_PRICE_CATALOG ('2026-04') */
  readonly catalog?: string;
  /** Billed runner hours per month of each per-job runner pool. @default DEFAULT_RUNNER_HOURS (200) */
  readonly runnerHours?: number;
}

/**
 * A monthly budget for the stack it is added to: at synth the stack's own Terraform JSON is
 * estimated (`estimateStackCost`) and synth fails with a ValidationError listing every item when
 * the total exceeds `monthlyEur`. Adds nothing to the JSON.
 *
 * ```ts
 * new CostBudget(stack, 'Budget', { monthlyEur: 60 });
 * ```
 */
export class CostBudget extends Construct {
  public readonly monthlyEur: number;
  public readonly catalog: string;
  public readonly runnerHours: number;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    requireProps(scope, id, props);
    super(scope, id);
    const v = new PropValidator(this);
    v.check('monthlyEur', props.monthlyEur, typeof props.monthlyEur === 'number' && Number.isFinite(props.monthlyEur) && props.monthlyEur >= 0, 'a number of EUR from 0 up');
    const catalog = props.catalog ?? CURRENT_PRICE_CATALOG;
    v.check('catalog', catalog, PRICE_CATALOGS[catalog] !== undefined, `one of ${Object.keys(PRICE_CATALOGS).join(', ')}`);
    const hours = props.runnerHours ?? DEFAULT_RUNNER_HOURS;
    v.check('runnerHours', hours, typeof hours === 'number' && Number.isFinite(hours) && hours >= 0, 'a number of hours from 0 up');
    v.throwIfInvalid();
    this.monthlyEur = props.monthlyEur;
    this.catalog = catalog;
    this.runnerHours = hours;
    shareTerraformDuringValidation(TerraformStack.of(this));
    this.node.addValidation({ validate: () => this.check() });
  }

  /** The estimate of the stack as it is now (during synth's validations, from the JSON they share). */
  public estimate(): StackCostEstimate {
    return estimateStackCost(validationTerraform(TerraformStack.of(this)), { catalog: this.catalog, runnerHours: this.runnerHours });
  }

  private check(): string[] {
    const v = new PropValidator(this);
    const estimate = v.attempt('monthlyEur', this.monthlyEur, () => this.estimate());
    if (estimate && estimate.totalEur > this.monthlyEur) {
      throw new ValidationError(this, [
        {
          property: 'monthlyEur',
          value: this.monthlyEur,
          allowed: `a budget of at least the stack's estimate, ${estimate.totalEur.toFixed(2)} EUR/month (${this.runnerHours} runner hours per pool):\n${formatCostEstimate(estimate)}`,
        },
      ]);
    }
    v.throwIfInvalid();
    return [];
  }
}
