// The toaster's queue: confirmations ("Published") that inform without blocking. Any module may call
// toast(); the <Toaster> (./Toaster.tsx) shows the oldest two and the rest in turn.
import { useSyncExternalStore } from 'react';

export type ToastTone = 'success' | 'info' | 'error';

export interface ToastMessage {
  id: number;
  title: string;
  description?: string;
  tone: ToastTone;
  /** How long it stays once shown, in ms; errors stay longer so they can be read. */
  duration: number;
}

/** At most this many show at once, so they never stack over a screen's work; the rest wait their turn. */
export const MAX_VISIBLE = 2;
/** Waiting toasts past this many are dropped, oldest first: a burst must not queue minutes of them. */
const MAX_QUEUED = 20;

/** How long a toast stays: a success is a glance, an error is read. */
export function durationFor(tone: ToastTone): number {
  return tone === 'error' ? 10_000 : tone === 'info' ? 5_000 : 3_000;
}

/** The toasts shown now: the oldest MAX_VISIBLE; the others show as these are dismissed. */
export function visibleToasts(all: readonly ToastMessage[]): ToastMessage[] {
  return all.slice(0, MAX_VISIBLE);
}

let toasts: ToastMessage[] = [];
let nextId = 1;
const subscribers = new Set<() => void>();
const notify = () => subscribers.forEach((fn) => fn());

export function toast(message: { title: string; description?: string; tone?: ToastTone; duration?: number }): number {
  const tone = message.tone ?? 'success';
  const id = nextId++;
  toasts = [...toasts, { id, title: message.title, ...(message.description ? { description: message.description } : {}), tone, duration: message.duration ?? durationFor(tone) }];
  if (toasts.length > MAX_VISIBLE + MAX_QUEUED) toasts = [...toasts.slice(0, MAX_VISIBLE), ...toasts.slice(toasts.length - MAX_QUEUED)];
  notify();
  return id;
}

export function dismissToast(id: number): void {
  toasts = toasts.filter((item) => item.id !== id);
  notify();
}

/** Every toast, shown or waiting, oldest first. */
export function currentToasts(): ToastMessage[] {
  return toasts;
}

export function useToasts(): ToastMessage[] {
  return useSyncExternalStore(
    (fn) => {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    () => toasts,
  );
}
