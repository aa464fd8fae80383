// A fresh renderer build prints no warnings. The theme script must run before the first paint, so it
// is a classic (blocking) script, not a module: it lives in renderer/public as a static file that
// Vite copies as it is and that index.html names by its public path, so Vite never tries to bundle
// it (its "can't be bundled without type=module" warning). The built page still loads it from a
// file (the CSP allows no inline script) before the stylesheets and the app.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, viteBuild } from '../../scripts/build-renderer';

describe('the renderer build', () => {
  it('prints no warnings and loads the theme script from a file before anything else', async () => {
    mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true });
    const out = mkdtempSync(join(REPO_ROOT, 'dist', 'renderer-test-'));
    try {
      const warnings: string[] = [];
      await viteBuild('production', out, (message) => warnings.push(message));
      expect(warnings).toEqual([]);

      const html = readFileSync(join(out, 'index.html'), 'utf8');
      const head = html.slice(0, html.indexOf('</head>'));
      const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
      expect(scripts.every((script) => /\bsrc="/.test(script[0]) && script[1]!.trim() === '')).toBe(true); // no inline script
      const theme = head.indexOf('<script src="./theme-init.js"></script>');
      expect(theme).toBeGreaterThan(-1); // classic, relative (the app is served from stepwise://app/ and a path)
      expect(head.slice(theme)).not.toMatch(/^<script src="\.\/theme-init\.js"[^>]*type="module"/);
      for (const later of [head.indexOf('<link rel="stylesheet"'), head.indexOf('<script type="module"')]) {
        if (later > -1) expect(theme).toBeLessThan(later);
      }
      expect(readFileSync(join(out, 'theme-init.js'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'renderer', 'public', 'theme-init.js'), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
