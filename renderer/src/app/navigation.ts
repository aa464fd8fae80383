// In-app navigation, with a guard a screen can set while it holds unsaved changes.
import { routeHash, type Route } from './route';

type Guard = () => Promise<boolean>;
let guard: Guard | null = null;

/** Set while a screen has unsaved changes; it decides whether leaving is fine. */
export function setLeaveGuard(next: Guard | null): void {
  guard = next;
}

export async function navigate(route: Route): Promise<boolean> {
  const hash = routeHash(route);
  if (window.location.hash === hash) return true;
  if (guard && !(await guard())) return false;
  window.location.hash = hash;
  return true;
}
