// One design system: every text area of the screens is drawn as the design system's input
// (sw-input: its surface, border and focus ring in both themes), never the browser's own grey box.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../renderer/src');
const files = (dir: string): string[] => readdirSync(dir).flatMap((entry) => (statSync(join(dir, entry)).isDirectory() ? files(join(dir, entry)) : entry.endsWith('.tsx') ? [join(dir, entry)] : []));
/** Classes styled with the tokens' surface, border and focus ring, as sw-input is. */
const STYLED = ['sw-input', 'preview-input'];

describe('text areas', () => {
  it('all use the design system\'s input style', () => {
    const unstyled: string[] = [];
    for (const file of files(ROOT)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/<textarea\b[^>]*?className="([^"]*)"/gs)) {
        if (!match[1]!.split(/\s+/).some((name) => STYLED.includes(name))) unstyled.push(`${file.slice(ROOT.length + 1)}: ${match[1]}`);
      }
    }
    expect(unstyled).toEqual([]);
  });
});
