import { Document, isMap, isSeq, parse } from 'yaml';
import { BoundedMemo } from '../../core/memo';
import { REAP_JOB } from './pool-workflow-props';

/** Whether a workflow (as parsed into plain data) is a scheduled reaper: a non-empty `on.schedule` and a job named like the pool's reap job. */
export function isScheduledReaperDocument(doc: unknown): boolean {
  if (doc === null || typeof doc !== 'object') return false;
  const on = (doc as Record<string, unknown>).on;
  const jobs = (doc as Record<string, unknown>).jobs;
  const schedule = on !== null && typeof on === 'object' ? (on as Record<string, unknown>).schedule : undefined;
  return Array.isArray(schedule) && schedule.length > 0 && jobs !== null && typeof jobs === 'object' && Object.prototype.hasOwnProperty.call(jobs, REAP_JOB);
}

/** The same question asked of a YAML document's node tree, the one its text is written from. */
function isScheduledReaperTree(doc: Document): boolean {
  const schedule = doc.getIn(['on', 'schedule'], true);
  const jobs = doc.get('jobs', true);
  return isSeq(schedule) && schedule.items.length > 0 && isMap(jobs) && jobs.has(REAP_JOB);
}

/**
 * Verdicts by workflow text (the stacks of an app carry the same workflows). The pool renderer
 * records the verdict of each text it writes, read from the node tree the text is written from
 * (not from the props: what YAML makes of `toJSON`, sets or a `__proto__` key is in the tree), so
 * those texts are known without parsing them (__tests__/render/workflow/reaper-verdict.test.ts
 * compares both on odd inputs).
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

/** Records the verdict of `text`, written from `doc` by this library's pool renderer. */
export function noteRenderedWorkflow(text: string, doc: Document): void {
  verdicts.get(text, () => isScheduledReaperTree(doc));
}
