// One normaliser for every text file Stepwise reads: Procedure files and knowledge articles alike
// lose a leading byte-order mark and have CRLF and lone CR line breaks read as LF.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcedureFiles } from '../../main/files/procedure-files';
import { readArticleFile } from '../../main/knowledge/formats';
import { normaliseTextFile } from '../../shared/text-file';

const LF = '---\nname: Refund request\ntrigger: The customer asks for a refund.\nattributes:\n  order_number:\n    type: string\n---\n\n## Ask\nAsk and collect {order_number}.\n';
const variants = {
  'byte-order mark': `\uFEFF${LF}`,
  CRLF: LF.replaceAll('\n', '\r\n'),
  'lone CR': LF.replaceAll('\n', '\r'),
  'all three': `\uFEFF${LF.replaceAll('\n', '\r\n').replace('\r\n', '\r')}`,
};

describe('normaliseTextFile', () => {
  for (const [name, text] of Object.entries(variants)) {
    it(`reads ${name} as the LF text`, () => expect(normaliseTextFile(text)).toBe(LF));
  }

  it('keeps a byte-order mark that is not at the start, and changes nothing else', () => {
    expect(normaliseTextFile('a\uFEFFb\n\n')).toBe('a\uFEFFb\n\n');
    expect(normaliseTextFile('\r\r\n\n')).toBe('\n\n\n');
  });
});

describe('Procedure files and knowledge articles are read alike', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-text-'));
  for (const [name, text] of Object.entries(variants)) {
    it(`${name}: the Procedure file parses like the LF file, with its front matter`, () => {
      const file = `${name.replaceAll(' ', '-')}.md`;
      writeFileSync(join(dir, file), text);
      const [read] = readProcedureFiles([file], dir);
      expect(read!.original).toBe(text);
      expect(read!.text).toBe(LF);
      expect(read!.parsed.diagnostics).toEqual([]);
      expect(read!.parsed.document.frontMatter?.header.name).toBe('Refund request');
      expect(read!.parsed.document.frontMatter?.header.attributes.map((a) => a.name)).toEqual(['order_number']);
    });

    it(`${name}: the article keeps its title and body`, () => {
      const article = `\uFEFF---\ntitle: Refunds\n---\nRefunds take five days.\nAsk for the order number.\n`;
      const bytes = Buffer.from(name === 'byte-order mark' ? article : article.replace(/^\uFEFF/, '').replaceAll('\n', name === 'lone CR' ? '\r' : '\r\n'));
      expect(readArticleFile('refunds.md', bytes)).toMatchObject({ title: 'Refunds', body: expect.stringContaining('Refunds take five days.\nAsk for the order number.') });
    });
  }

  it('a Procedure file that is not UTF-8 is refused by name, not read with replacement characters', () => {
    writeFileSync(join(dir, 'latin1.md'), Buffer.from('---\nname: Caf\xe9\n---\n', 'latin1'));
    expect(() => readProcedureFiles(['latin1.md'], dir)).toThrow('Cannot read latin1.md: it is not UTF-8 text.');
  });
});
