// Where the app keeps its own files when no Electron is there to say: settings, secrets and the
// default workspace. STEPWISE_HOME overrides it (tests and portable installs use that).
import { homedir } from 'node:os';
import { join } from 'node:path';

export function appHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.STEPWISE_HOME) return env.STEPWISE_HOME;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Stepwise');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Stepwise');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'stepwise');
}

export interface AppPaths {
  home: string;
  defaultWorkspace: string;
}

export function appPaths(home: string): AppPaths {
  return { home, defaultWorkspace: join(home, 'workspace.stepwise') };
}
