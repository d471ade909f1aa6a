/**
 * The pull-request review (`.github/workflows/pr-review.yml`): plan summaries, the cost delta, the
 * rule pack's findings and the comment that shows them. Pure functions: no cdktf, no I/O; the
 * workflow's scripts in scripts/review read the files and talk to GitHub.
 */
export * from './plan';
export * from './cost-delta';
export * from './findings';
export * from './comment';
export { code, escapeText, euro, euroDelta, fencedLine } from './markdown';
