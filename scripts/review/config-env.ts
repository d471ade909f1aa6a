/**
 * Exports the repository variables that configure the reference app's synth (`AIAI_*`, see
 * lib/app/reference-config.ts) into the job's environment, so the review synthesizes what a deploy
 * would. Only set, single-line values: referenceConfig treats an empty string as a value, and
 * GITHUB_ENV takes `NAME=value` lines.
 *
 *   REVIEW_VARS='${{ toJSON(vars) }}' node --import tsx scripts/review/config-env.ts >> "$GITHUB_ENV"
 */

/** `NAME=value` lines for the `AIAI_*` entries of a `toJSON(vars)` document. */
export function configEnvLines(varsJson: string | undefined): string[] {
  if (!varsJson) return [];
  const vars = JSON.parse(varsJson) as Record<string, unknown>;
  return Object.entries(vars)
    .filter(([k, v]) => /^AIAI_[A-Z0-9_]+$/.test(k) && k !== 'AIAI_REVIEW_PLAN' && typeof v === 'string' && v !== '' && !/[\r\n]/.test(v))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v as string}`);
}

if (require.main === module) {
  for (const line of configEnvLines(process.env.REVIEW_VARS)) console.log(line);
}
