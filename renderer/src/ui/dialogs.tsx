// Promise-based dialogs (no window.prompt: Electron has none), drawn with the shared Dialog, so focus
// is trapped and restored by Radix rather than by hand. Confirmations that need no answer are toasts
// (./toast.ts), not dialogs.
import { useRef, useState, useSyncExternalStore } from 'react';
import { Button } from './Button';
import { Dialog } from './Dialog';

interface Choice {
  id: string;
  label: string;
  primary?: boolean;
  danger?: boolean;
}

interface DialogRequest {
  id: number;
  title: string;
  message?: string;
  input?: { label: string; initial: string; multiline?: boolean };
  choices: Choice[];
  resolve: (result: { choice: string; value: string } | null) => void;
}

let current: DialogRequest | null = null;
let nextId = 1;
const subscribers = new Set<() => void>();
const notify = () => subscribers.forEach((fn) => fn());

function open(request: Omit<DialogRequest, 'resolve' | 'id'>): Promise<{ choice: string; value: string } | null> {
  return new Promise((resolve) => {
    current?.resolve(null);
    const id = nextId++;
    current = {
      ...request,
      id,
      resolve: (result) => {
        if (current?.id === id) {
          current = null;
          notify();
        }
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

/** A message that must be read before going on (an error); a mere confirmation is a toast. */
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
  return request ? <RequestDialog key={request.id} request={request} /> : null;
}

function RequestDialog({ request }: { request: DialogRequest }) {
  const [value, setValue] = useState(request.input?.initial ?? '');
  const inputRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const primaryRef = useRef<HTMLButtonElement>(null);
  // What had focus when the dialog was asked for: focus goes back there when it closes.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null));
  const primary = request.choices.find((choice) => choice.primary) ?? request.choices.find((choice) => choice.danger) ?? request.choices[request.choices.length - 1]!;
  const finish = (choice: string) => request.resolve({ choice, value });
  const inputId = `dialog-input-${request.id}`;
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && request.resolve(null)}
      returnFocusTo={opener}
      title={request.title}
      {...(request.message ? { description: request.message } : {})}
      onOpenAutoFocus={(event) => {
        event.preventDefault();
        if (request.input) {
          inputRef.current?.focus();
          inputRef.current?.select();
        } else primaryRef.current?.focus();
      }}
    >
      <form
        className="sw-dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          finish(primary.id);
        }}
      >
        {request.input && (
          <div className="sw-field">
            <label htmlFor={inputId} className="sw-field-label">
              {request.input.label}
            </label>
            {request.input.multiline ? (
              <textarea
                id={inputId}
                className="sw-input sw-textarea"
                ref={inputRef}
                value={value}
                onChange={(event) => setValue(event.target.value)}
                rows={3}
                onKeyDown={(event) => {
                  // Ctrl/Cmd+Enter submits a multi-line answer; Enter alone is a new line.
                  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) finish(primary.id);
                }}
              />
            ) : (
              <input id={inputId} className="sw-input" ref={inputRef} value={value} onChange={(event) => setValue(event.target.value)} />
            )}
            {request.input.multiline && <small className="sw-field-help">Ctrl+Enter to {primary.label.toLowerCase()}</small>}
          </div>
        )}
        <div className="sw-dialog-footer">
          {request.choices.map((choice) => (
            <Button
              key={choice.id}
              ref={choice === primary ? primaryRef : undefined}
              type={choice === primary ? 'submit' : 'button'}
              variant={choice.danger ? 'danger' : choice.primary ? 'primary' : 'secondary'}
              onClick={choice === primary ? undefined : () => finish(choice.id)}
            >
              {choice.label}
            </Button>
          ))}
        </div>
      </form>
    </Dialog>
  );
}
