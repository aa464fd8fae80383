// Promise-based dialogs drawn by the app itself (no window.prompt: Electron has none).
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';

interface Choice {
  id: string;
  label: string;
  primary?: boolean;
  danger?: boolean;
}

interface DialogRequest {
  title: string;
  message?: string;
  input?: { label: string; initial: string; multiline?: boolean };
  choices: Choice[];
  resolve: (result: { choice: string; value: string } | null) => void;
}

let current: DialogRequest | null = null;
const subscribers = new Set<() => void>();
const notify = () => subscribers.forEach((fn) => fn());

function open(request: Omit<DialogRequest, 'resolve'>): Promise<{ choice: string; value: string } | null> {
  return new Promise((resolve) => {
    current?.resolve(null);
    current = {
      ...request,
      resolve: (result) => {
        current = null;
        notify();
        resolve(result);
      },
    };
    notify();
  });
}

export async function askText(title: string, label: string, initial = '', options: { ok?: string; multiline?: boolean; message?: string } = {}): Promise<string | null> {
  const result = await open({
    title,
    ...(options.message ? { message: options.message } : {}),
    input: { label, initial, ...(options.multiline ? { multiline: true } : {}) },
    choices: [{ id: 'cancel', label: 'Cancel' }, { id: 'ok', label: options.ok ?? 'OK', primary: true }],
  });
  return result?.choice === 'ok' ? result.value : null;
}

export async function askConfirm(title: string, message: string, confirm = 'OK', danger = false): Promise<boolean> {
  const result = await open({ title, message, choices: [{ id: 'cancel', label: 'Cancel' }, { id: 'ok', label: confirm, primary: !danger, danger }] });
  return result?.choice === 'ok';
}

export async function askChoice(title: string, message: string, choices: Choice[]): Promise<string | null> {
  return (await open({ title, message, choices }))?.choice ?? null;
}

export async function showMessage(title: string, message: string): Promise<void> {
  await open({ title, message, choices: [{ id: 'ok', label: 'OK', primary: true }] });
}

function useCurrent() {
  return useSyncExternalStore(
    (fn) => {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    () => current,
  );
}

export function DialogHost() {
  const request = useCurrent();
  const [value, setValue] = useState('');
  const inputRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  useEffect(() => {
    setValue(request?.input?.initial ?? '');
    if (request?.input) setTimeout(() => inputRef.current?.select(), 0);
  }, [request]);
  if (!request) return null;
  const primary = request.choices.find((choice) => choice.primary) ?? request.choices[request.choices.length - 1]!;
  const finish = (choice: string) => request.resolve({ choice, value });
  return (
    <div className="dialog-backdrop" onKeyDown={(event) => event.key === 'Escape' && request.resolve(null)}>
      <form
        className="dialog"
        role="dialog"
        aria-label={request.title}
        onSubmit={(event) => {
          event.preventDefault();
          finish(primary.id);
        }}
      >
        <h2>{request.title}</h2>
        {request.message && <p className="dialog-message">{request.message}</p>}
        {request.input && (
          <label className="dialog-input">
            <span>{request.input.label}</span>
            {request.input.multiline ? (
              <textarea ref={inputRef} value={value} onChange={(event) => setValue(event.target.value)} rows={3} autoFocus />
            ) : (
              <input ref={inputRef} value={value} onChange={(event) => setValue(event.target.value)} autoFocus />
            )}
          </label>
        )}
        <div className="dialog-buttons">
          {request.choices.map((choice) => (
            <button
              key={choice.id}
              type={choice === primary ? 'submit' : 'button'}
              className={choice.danger ? 'danger' : choice.primary ? 'primary' : ''}
              onClick={choice === primary ? undefined : () => finish(choice.id)}
              autoFocus={!request.input && choice === primary}
            >
              {choice.label}
            </button>
          ))}
        </div>
      </form>
    </div>
  );
}
