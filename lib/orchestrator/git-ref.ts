/**
 * The git refs an agent release may name. Pure (no cdktf): `aiai-release` checks the same rules on
 * the host (`valid_ref` in cloud-init/orchestrator/aiai-release.sh; one test runs both on one table).
 */

/** Longest ref accepted (git itself has no limit; a commit id is 40 characters). */
export const GIT_REF_MAX_LENGTH = 200;

/** What {@link isReleasableGitRef} accepts, in words (for ValidationError messages). */
export const GIT_REF_RULES =
  `a branch, tag or commit id: 1 to ${GIT_REF_MAX_LENGTH} letters, digits and ._/-, ` +
  "not starting with - or /, not ending with / or ., without '..', '//', a part starting with . or ending with .lock";

/**
 * True when `ref` is a branch, tag or commit id that git accepts (the rules of
 * `git check-ref-format`, Documentation/git-check-ref-format.txt in git) written only with
 * characters that mean nothing to a shell or to a refspec (no `+`, `:`, `~`, `^`, `@`, spaces).
 */
export function isReleasableGitRef(ref: string): boolean {
  if (ref.length < 1 || ref.length > GIT_REF_MAX_LENGTH) return false;
  if (!/^[A-Za-z0-9._/-]+$/.test(ref)) return false;
  // A leading - would be read as an option by git; a leading / is not a ref.
  if (/^[-/]/.test(ref) || /[/.]$/.test(ref)) return false;
  if (ref.includes('..') || ref.includes('//')) return false;
  return ref.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}
