/**
 * The reaper verdict (lib/render/workflow/reaper-verdict.ts), read by the rule HZ-RUN-002: texts the
 * pool renderer wrote are decided from the renderer's own document, which must be what parsing the
 * text gives; any other text is parsed.
 */
import * as yaml from 'yaml';
import { renderPoolWorkflows, PoolWorkflowProps } from '../../../lib/render/workflow';
import { isScheduledReaper, isScheduledReaperDocument } from '../../../lib/render/workflow/reaper-verdict';
import { resolvePoolSettings } from '../../../lib/runtime/pool-settings-check';

// yaml's parse, counted (everything else of the package as it is).
jest.mock('yaml', () => {
  const actual = jest.requireActual('yaml');
  return { ...actual, parse: jest.fn(actual.parse) };
});

const base: PoolWorkflowProps = {
  settings: resolvePoolSettings({ pool: 'verdict' }),
  jobs: { build: { steps: [{ run: 'make' }] } },
};

describe('reaper verdicts', () => {
  /** Props, and whether the main workflow's text (not the props) is a scheduled reaper. */
  const variants: [string, PoolWorkflowProps, boolean][] = [
    ['the default schedule', base, false],
    ['a custom schedule', { ...base, reapSchedule: '7 3 * * *' }, false],
    ['no reaper', { ...base, reapSchedule: false }, false],
    ['a main workflow with a schedule and another job', { ...base, on: { schedule: [{ cron: '0 1 * * *' }] }, otherJobs: { lint: { 'runs-on': 'ubuntu-latest', steps: [{ run: 'true' }] } } }, false],
    // What YAML makes of the props, not the props, decides (the review's counterexamples): yaml
    // writes what `toJSON` returns (here no schedule), and a Set as a list.
    ['a main workflow whose `on` has a toJSON, and a job named reap', { ...base, reapSchedule: false, on: { schedule: [{ cron: '0 1 * * *' }], toJSON: () => ({ push: {} }) }, otherJobs: { reap: { 'runs-on': 'ubuntu-latest', steps: [{ run: 'true' }] } } }, false],
    ['a main workflow scheduled by a Set, and a job named reap', { ...base, reapSchedule: false, on: { schedule: new Set([{ cron: '0 1 * * *' }]) }, otherJobs: { reap: { 'runs-on': 'ubuntu-latest', steps: [{ run: 'true' }] } } }, true],
  ];

  test.each(variants)('a rendered workflow (%s) gets the verdict its parsed text gives', (_name, props, mainIsReaper) => {
    const out = renderPoolWorkflows(props);
    for (const file of [out.main, ...(out.reap ? [out.reap] : [])]) {
      expect({ path: file.path, verdict: isScheduledReaper(file.content) }).toEqual({ path: file.path, verdict: isScheduledReaperDocument(yaml.parse(file.content)) });
    }
    expect(isScheduledReaper(out.main.content)).toBe(mainIsReaper);
    if (out.reap) expect(isScheduledReaper(out.reap.content)).toBe(true);
  });

  test('a rendered text is decided without parsing it; a text from elsewhere is parsed', () => {
    const parse = jest.mocked(yaml.parse);
    const out = renderPoolWorkflows({ ...base, reapSchedule: '11 4 * * *' });
    parse.mockClear();
    expect(isScheduledReaper(out.reap!.content)).toBe(true);
    expect(parse).not.toHaveBeenCalled();
    const edited = out.reap!.content.replace('11 4 * * *', '12 4 * * *');
    expect(isScheduledReaper(edited)).toBe(true);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  test.each([
    ['scheduled, with a reap job', 'on:\n  schedule:\n    - cron: "*/15 * * * *"\njobs:\n  reap:\n    runs-on: ubuntu-latest\n', true],
    ['an empty schedule', 'on:\n  schedule: []\njobs:\n  reap:\n    runs-on: ubuntu-latest\n', false],
    ['no schedule', 'on:\n  workflow_dispatch: {}\njobs:\n  reap:\n    runs-on: ubuntu-latest\n', false],
    ['the reap job only inside a block scalar', 'on:\n  schedule:\n    - cron: "0 * * * *"\njobs:\n  other:\n    steps:\n      - run: |\n          reap: no\n', false],
    ['YAML that does not parse', 'on: [\n  reap:\n', false],
  ])('a workflow from elsewhere: %s', (_name, text, verdict) => {
    expect(isScheduledReaper(text)).toBe(verdict);
  });
});
