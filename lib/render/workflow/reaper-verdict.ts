import { parse } from 'yaml';
import { BoundedMemo } from '../../core/memo';
import { REAP_JOB } from './pool-workflow-props';

/** Whether a workflow document (as parsed) is a scheduled reaper: a non-empty `on.schedule` and a job named like the pool's reap job. */
export function isScheduledReaperDocument(doc: unknown): boolean {
  if (doc === null || typeof doc !== 'object') return false;
  const on = (doc as Record<string, unknown>).on as Record<string, unknown> | undefined;
  const jobs = (doc as Record<string, unknown>).jobs as Record<string, unknown> | undefined;
  return Boolean(on && typeof on === 'object' && Array.isArray(on.schedule) && on.schedule.length > 0 && jobs && typeof jobs === 'object' && REAP_JOB in jobs);
}

/**
 * Verdicts by workflow text (the stacks of an app carry the same workflows). The pool renderer
 * records the verdict of each text it renders from its own document, which the text parses back
 * to (__tests__/render/workflow/reaper-verdict.test.ts): those are known without parsing them.
 */
const verdicts = new BoundedMemo<string, boolean>(64);
/** What a reaper's text must hold before it is parsed: a job named like the pool's reap job. */
const REAP_JOB_LINE = new RegExp(`^\\s+${REAP_JOB}:`, 'm');

/** Whether a workflow file's text is a scheduled reaper, by its YAML (unparseable: no). */
export function isScheduledReaper(text: string): boolean {
  return verdicts.get(text, () => {
    if (!REAP_JOB_LINE.test(text)) return false;
    try {
      return isScheduledReaperDocument(parse(text));
    } catch {
      return false;
    }
  });
}

/** Records the verdict of `text`, rendered from `doc` by this library's pool renderer. */
export function noteRenderedWorkflow(text: string, doc: unknown): void {
  verdicts.get(text, () => isScheduledReaperDocument(doc));
}
