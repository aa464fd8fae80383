// The app's theme, light or dark: the user's choice (kept in localStorage) or else the system's
// preference, applied as data-theme on <html> so tokens.css picks its values.
import { useSyncExternalStore } from 'react';
import { z } from 'zod';

export type Theme = 'light' | 'dark';
export const THEME_STORAGE_KEY = 'stepwise.theme';
const storedTheme = z.enum(['light', 'dark']);

const listeners = new Set<(theme: Theme) => void>();
let current: Theme = 'light';

function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The stored choice, or null when none (or an unreadable one) is stored. */
function storedChoice(): Theme | null {
  try {
    const parsed = storedTheme.safeParse(window.localStorage.getItem(THEME_STORAGE_KEY));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // storage refused (private mode): the system's preference
  }
}

function apply(theme: Theme): void {
  current = theme;
  document.documentElement.dataset.theme = theme;
  for (const listener of listeners) listener(theme);
}

/** Sets the theme before the first render, and follows the system while the user has not chosen. */
export function initTheme(): void {
  apply(storedChoice() ?? systemTheme());
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (storedChoice() === null) apply(systemTheme());
  });
}

export function setTheme(theme: Theme): void {
  try {
    window.localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Not persisted, but still applied for this session.
  }
  apply(theme);
}

export function getTheme(): Theme {
  return current;
}

export function onThemeChange(listener: (theme: Theme) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useTheme(): Theme {
  return useSyncExternalStore(onThemeChange, getTheme);
}
