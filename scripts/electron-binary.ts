// Finds Electron's binary without running the electron package's index.js, which would try to
// download it. Returns why it cannot start when it cannot.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ElectronLookup = { ok: true; binary: string } | { ok: false; reason: string };

export function findElectron(root: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronLookup {
  const dir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(dir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed' };
  const pathFile = join(dir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  let binary: string;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) binary = join(env.ELECTRON_OVERRIDE_DIST_PATH, name ?? 'electron');
  else if (!name) return { ok: false, reason: "Electron's binary has not been downloaded (it is fetched on first run, which needs network access to its release site)" };
  else binary = join(dir, 'dist', name);
  if (!existsSync(binary)) return { ok: false, reason: `Electron's binary is missing at ${binary}` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { ok: false, reason: 'there is no display to open a window on' };
  return { ok: true, binary };
}
