// The toaster's queue: confirmations ("Published") that inform without blocking. Any module may call
// toast(); the <Toaster> (./Toaster.tsx) shows them.
import { useSyncExternalStore } from 'react';

export type ToastTone = 'success' | 'info' | 'error';

export interface ToastMessage {
  id: number;
  title: string;
  description?: string;
  tone: ToastTone;
  /** How long it stays, in ms; errors stay longer so they can be read. */
  duration: number;
}

let toasts: ToastMessage[] = [];
let nextId = 1;
const subscribers = new Set<() => void>();
const notify = () => subscribers.forEach((fn) => fn());

export function toast(message: { title: string; description?: string; tone?: ToastTone; duration?: number }): number {
  const tone = message.tone ?? 'success';
  const id = nextId++;
  // At most three at once: the oldest goes first.
  toasts = [...toasts.slice(-2), { id, title: message.title, ...(message.description ? { description: message.description } : {}), tone, duration: message.duration ?? (tone === 'error' ? 10_000 : 5_000) }];
  notify();
  return id;
}

export function dismissToast(id: number): void {
  toasts = toasts.filter((item) => item.id !== id);
  notify();
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
