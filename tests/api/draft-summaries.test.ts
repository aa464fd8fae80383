// procedures.list remembers each draft's summary by content hash: an unchanged draft is never
// parsed again, a changed one is parsed once, and the cache stays small.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as language from '../../shared/procedure';
import { EventHub } from '../../main/api/events';
import { procedureHandlers } from '../../main/api/procedures-service';
import { createExampleWorkspace } from '../../main/app/open-workspace';
import { DraftSummaries, summariseDraft, type DraftSummary } from '../../main/procedures/draft-summaries';
import type { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';

// Every parse in the engine goes through this spy, so a test can count them.
vi.mock('../../shared/procedure', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../shared/procedure')>();
  return { ...actual, parse: vi.fn(actual.parse) };
});
const parseSpy = vi.mocked(language.parse);

describe('DraftSummaries', () => {
  function counting(capacity?: number) {
    const texts: string[] = [];
    const summarise = (text: string): DraftSummary => {
      texts.push(text);
      return { subProcedure: text.includes('sub') };
    };
    return { texts, summaries: new DraftSummaries(summarise, capacity) };
  }

  it('summarises a text once per hash', () => {
    const { texts, summaries } = counting();
    expect(summaries.get('h1', 'a sub')).toEqual({ subProcedure: true });
    expect(summaries.get('h1', 'a sub')).toEqual({ subProcedure: true });
    expect(summaries.get('h2', 'plain')).toEqual({ subProcedure: false });
    expect(texts).toEqual(['a sub', 'plain']);
  });

  it('forgets the least recently used hash when full, and only that one', () => {
    const { texts, summaries } = counting(2);
    summaries.get('a', 'A');
    summaries.get('b', 'B');
    summaries.get('a', 'A'); // a is now more recent than b
    summaries.get('c', 'C'); // evicts b
    expect(summaries.size).toBe(2);
    summaries.get('a', 'A');
    summaries.get('c', 'C');
    expect(texts).toEqual(['A', 'B', 'C']);
    summaries.get('b', 'B');
    expect(texts).toEqual(['A', 'B', 'C', 'B']);
  });

  it('the default summary reads the sub_procedure flag', () => {
    expect(summariseDraft('---\nname: Helper\nsub_procedure: true\n---\n## Step\nHi.\n')).toEqual({ subProcedure: true });
    expect(summariseDraft('---\nname: Main\ntrigger: Always.\n---\n## Step\nHi.\n')).toEqual({ subProcedure: false });
  });
});

describe('procedures.list', () => {
  const tempDir = useTempDir();
  let workspace: Workspace | undefined;
  afterEach(() => {
    workspace?.close();
    workspace = undefined;
  });

  it('parses no unchanged draft a second time, and a changed draft once', () => {
    workspace = createExampleWorkspace(join(tempDir(), 'shop.stepwise'));
    const api = procedureHandlers(workspace, new EventHub(), null);

    parseSpy.mockClear();
    const first = api['procedures.list']();
    expect(first.length).toBeGreaterThanOrEqual(5);
    expect(parseSpy).toHaveBeenCalledTimes(first.length);

    parseSpy.mockClear();
    expect(api['procedures.list']()).toEqual(first);
    expect(parseSpy).not.toHaveBeenCalled();

    const { name, draftText } = workspace.procedures.list()[0]!;
    workspace.procedures.saveDraft(name, draftText.replace('## ', '## Then\nSay more.\n\n## '));
    parseSpy.mockClear();
    const third = api['procedures.list']();
    expect(parseSpy).toHaveBeenCalledTimes(1);
    expect(third.find((entry) => entry.name === name)?.status).not.toBe('live');
  });

  it('answers subProcedure from the draft text, as before', () => {
    workspace = createExampleWorkspace(join(tempDir(), 'shop.stepwise'));
    const api = procedureHandlers(workspace, new EventHub(), null);
    const listed = api['procedures.list']();
    for (const record of workspace.procedures.list()) {
      expect(listed.find((entry) => entry.name === record.name)?.subProcedure).toBe(summariseDraft(record.draftText).subProcedure);
    }
    expect(listed.some((entry) => entry.subProcedure)).toBe(true);
  });
});
