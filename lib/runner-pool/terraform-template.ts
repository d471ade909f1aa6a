// Moved to lib/core/terraform-template.ts (the host base escapes user_data with it too).
export { escapeTerraformTemplate, unescapeTerraformTemplate } from '../core/terraform-template';
