// Golden tests over every example: the parse outline, the graph and the diagnostics are compared
// with reviewed files under __golden__/, and every example round-trips through print.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, print, toGraph, type Block } from '../../shared/procedure';
import { validateSet } from '../../main/language/validate-set';
import { designDir, exampleFiles, readExample } from '../support/paths';

const here = dirname(fileURLToPath(import.meta.url));

function outline(blocks: Block[]): unknown[] {
  return blocks.map((block) => {
    switch (block.kind) {
      case 'paragraph':
        return { paragraph: block.lines.length, bullet: block.bullet, refs: block.lines.flatMap((line) => line.refs.map((ref) => ref.kind)), children: outline(block.children) };
      case 'code':
        return { code: block.language, lines: block.code.split('\n').length, bullet: block.bullet };
      case 'condition':
        return { condition: block.branches.map((branch) => ({ [branch.kind]: branch.test?.kind ?? null, body: outline(branch.body) })) };
    }
  });
}

const files = exampleFiles();
const parsed = files.map((file) => ({ file, text: readExample(file), parsed: parse(readExample(file)) }));
const diagnostics = validateSet(parsed.map(({ file, parsed }) => ({ file, parsed })));

describe('examples', () => {
  it('include the five required Procedures', () => {
    expect(files).toEqual(['cancel-subscription.md', 'damaged-order.md', 'password-reset.md', 'refund-request.md', 'verify-identity.md']);
  });

  for (const [index, { file, text, parsed: result }] of parsed.entries()) {
    describe(file, () => {
      it('parses without errors or warnings, checked against the other examples', () => {
        expect(diagnostics[index]!.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
      });

      it('prints back to exactly the same text', () => {
        expect(print(result.document)).toBe(text);
      });

      it('matches its golden outline, graph and diagnostics', async () => {
        const graph = toGraph(result.document);
        const golden = {
          name: result.document.frontMatter?.header.name,
          attributes: result.document.frontMatter?.header.attributes.map((a) => `${a.name}: ${a.type}`),
          steps: result.document.steps.map((step) => ({ id: step.id, title: step.title, body: outline(step.body) })),
          graph: {
            nodes: graph.nodes.map((node) => `${node.line} ${node.kind} ${node.id} | ${node.label}`),
            edges: graph.edges.map((edge) => `${edge.from} -> ${edge.to}${edge.label ? ` [${edge.label}]` : ''} (${edge.kind})`),
          },
          diagnostics: diagnostics[index]!.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.severity} ${d.code}`),
        };
        const goldenFile = join('__golden__', file.replace(/\.md$/, '.json'));
        // A missing golden must fail, not be written silently (GOLDEN_WRITE=1 writes a new one on purpose).
        if (!process.env.GOLDEN_WRITE) expect(existsSync(join(here, goldenFile)), `${goldenFile} is missing`).toBe(true);
        await expect(JSON.stringify(golden, null, 2) + '\n').toMatchFileSnapshot(goldenFile);
      });
    });
  }
});

describe('the design examples (tests/fixtures/design, copied from the team\'s design notes)', () => {
  it('damaged-order.md is used unchanged', () => {
    expect(readExample('damaged-order.md')).toBe(readFileSync(join(designDir, 'damaged-order.md'), 'utf8'));
  });

  it('verify-identity.md differs only where the retry now loops back to the code step', () => {
    const design = readFileSync(join(designDir, 'verify-identity.md'), 'utf8').split('\n');
    const ours = readExample('verify-identity.md').split('\n');
    expect(ours.length).toBe(design.length);
    const changed = ours.flatMap((line, index) => (line === design[index] ? [] : [line]));
    expect(changed).toEqual(["  - Tell them the code didn't match and let them try again. Go back to [[#Check the code]]."]);
  });

  it('both design files parse, validate and round-trip as given', () => {
    for (const name of ['damaged-order.md', 'verify-identity.md']) {
      const text = readFileSync(join(designDir, name), 'utf8');
      const result = parse(text);
      expect(result.diagnostics).toEqual([]);
      expect(print(result.document)).toBe(text);
    }
  });
});
