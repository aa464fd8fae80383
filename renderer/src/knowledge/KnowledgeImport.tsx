// Importing articles: files or a folder, by picker or by drag and drop. The files go to the engine
// in batches (each read and checked there, only staged) under a progress bar with counts and a
// Cancel; the engine writes them all in one transaction at the end, or nothing if cancelled.
import { FolderUp, Upload, X } from 'lucide-react';
import { useRef, useState } from 'react';
import type { KnowledgeFileOutcome } from '../../../shared/api';
import { useApi } from '../api/context';
import { Banner, Button, formatCount, plural, ProgressBar } from '../ui';
import { base64Of, batches, filesFromDrop, filesFromInput, type ChosenFile } from './files';

type State =
  | { phase: 'idle' }
  | { phase: 'running'; done: number; total: number; articles: number; problems: KnowledgeFileOutcome[] }
  | { phase: 'finished'; created: number; updated: number; unchanged: number; files: number; problems: KnowledgeFileOutcome[] }
  | { phase: 'cancelled'; files: number }
  | { phase: 'failed'; message: string };

export function KnowledgeImport({ onImported }: { onImported: () => void }) {
  const api = useApi();
  const [state, setState] = useState<State>({ phase: 'idle' });
  const [over, setOver] = useState(false);
  const cancelled = useRef(false);
  const running = state.phase === 'running';

  async function run(files: ChosenFile[]) {
    if (files.length === 0 || running) return;
    cancelled.current = false;
    let importId: string | null = null;
    const problems: KnowledgeFileOutcome[] = [];
    let done = 0;
    let articles = 0;
    setState({ phase: 'running', done, total: files.length, articles, problems });
    try {
      importId = (await api['knowledge.importStart']({})).importId;
      for (const batch of batches(files)) {
        if (cancelled.current) break;
        const payload = await Promise.all(batch.map(async (chosen) => ({ name: chosen.name, base64: await base64Of(chosen.file) })));
        const outcomes = await api['knowledge.importFiles']({ importId, files: payload });
        done += batch.length;
        articles += outcomes.reduce((sum, outcome) => sum + outcome.articles, 0);
        problems.push(...outcomes.filter((outcome) => outcome.problems.length > 0));
        setState({ phase: 'running', done, total: files.length, articles, problems: [...problems] });
      }
      if (cancelled.current) {
        await api['knowledge.importCancel']({ importId });
        setState({ phase: 'cancelled', files: done });
        return;
      }
      const counts = await api['knowledge.importCommit']({ importId });
      setState({ phase: 'finished', ...counts, files: files.length, problems });
      onImported();
    } catch (problem) {
      if (importId) await api['knowledge.importCancel']({ importId }).catch(() => undefined);
      setState({ phase: 'failed', message: `${(problem as Error).message} Nothing was imported.` });
    }
  }

  return (
    <section className="knowledge-import" aria-label="Import articles">
      <h2>Import articles</h2>
      <div
        className={`knowledge-drop${over ? ' over' : ''}`}
        data-testid="knowledge-drop"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          void filesFromDrop(event.dataTransfer).then(run);
        }}
      >
        <p>Drop Markdown, text, HTML or JSON files, or a folder of them, here.</p>
        <div className="knowledge-buttons">
          <label className={`knowledge-picker${running ? ' disabled' : ''}`}>
            <Upload size={15} strokeWidth={1.75} aria-hidden /> Choose files
            <input type="file" multiple disabled={running} accept=".md,.markdown,.txt,.html,.htm,.json" aria-label="Choose files" onChange={(event) => (event.target.files && void run(filesFromInput(event.target.files)), (event.target.value = ''))} />
          </label>
          <label className={`knowledge-picker${running ? ' disabled' : ''}`}>
            <FolderUp size={15} strokeWidth={1.75} aria-hidden /> Choose a folder
            <input
              type="file"
              disabled={running}
              aria-label="Choose a folder"
              ref={(input) => {
                input?.setAttribute('webkitdirectory', '');
              }}
              onChange={(event) => (event.target.files && void run(filesFromInput(event.target.files)), (event.target.value = ''))}
            />
          </label>
        </div>
      </div>
      {state.phase === 'running' && (
        <div className="knowledge-progress">
          <ProgressBar label="Reading files" value={state.done} max={state.total} detail={`${formatCount(state.done)} of ${plural(state.total, 'file')} · ${plural(state.articles, 'article')} · ${formatCount(state.problems.length)} with problems`} />
          <Button size="sm" icon={X} onClick={() => (cancelled.current = true)}>
            Cancel
          </Button>
        </div>
      )}
      {state.phase === 'finished' && (
        <Banner tone={state.problems.length > 0 ? 'warning' : 'success'} title="Import finished">
          {plural(state.files, 'file')}: {plural(state.created, 'article')} added, {formatCount(state.updated)} updated, {formatCount(state.unchanged)} unchanged{state.problems.length > 0 ? `; ${plural(state.problems.length, 'file')} with problems (below)` : ''}.
        </Banner>
      )}
      {state.phase === 'cancelled' && <Banner tone="info" title="Import cancelled">Nothing was imported ({plural(state.files, 'file')} had been read).</Banner>}
      {state.phase === 'failed' && <Banner tone="error" title="Import failed">{state.message}</Banner>}
      {(state.phase === 'running' || state.phase === 'finished') && state.problems.length > 0 && (
        <ul className="knowledge-problems" aria-label="Files with problems">
          {state.problems.map((outcome) => (
            <li key={outcome.name}>
              <code>{outcome.name}</code>: {outcome.problems.join('; ')}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
