// The Electron shell's own calls (shared/api/shell.ts), when the page runs in Electron; null in
// browser mode, where the screens do what a browser does instead (a download).
import { BRIDGE_GLOBAL, type StepwiseBridge } from '../../../shared/api';

export type ShellBridge = Required<Pick<StepwiseBridge, 'saveBundle'>>;

export function shellBridge(global: Record<string, unknown> = window as unknown as Record<string, unknown>): ShellBridge | null {
  const bridge = global[BRIDGE_GLOBAL] as StepwiseBridge | undefined;
  const saveBundle = bridge?.saveBundle;
  return saveBundle ? { saveBundle: (input) => saveBundle(input) } : null;
}
