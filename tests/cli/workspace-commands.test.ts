import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { captureIo } from '../support/capture-io';
import { useTempDir } from '../store/helpers';

describe('workspace commands', () => {
  const tempDir = useTempDir();
  const run = async (dir: string, ...argv: string[]) => {
    const io = captureIo(dir);
    const code = await runCli(argv, io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  it('init --example, search, publish, export, verify and import, end to end', async () => {
    const dir = tempDir();
    const init = await run(dir, 'workspace', 'init', 'shop.stepwise', '--example');
    expect(init.code).toBe(0);
    expect(init.out).toMatch(/5 Procedures/);
    expect(init.err).toBe('');
    expect((await run(dir, 'workspace', 'init', 'shop.stepwise')).code).toBe(1);

    const search = await run(dir, 'knowledge', 'search', 'where do I find my order number', '--workspace', 'shop.stepwise', '--json');
    expect(search.code).toBe(0);
    expect(JSON.parse(search.out).hits[0].title).toBe('Where to find your order number');

    const validate = await run(dir, 'validate', '--workspace', 'shop.stepwise');
    expect(validate.out).toMatch(/^0 errors/m);

    writeFileSync(join(dir, 'new.md'), '---\nname: Gift card balance\ntrigger: The customer asks about a gift card.\n---\n\n## Look up\nCheck it with @shop.get_gift_card, then confirm with [[Verify identity]]. @handoff Gift team\n');
    const checked = await run(dir, 'validate', 'new.md', '--workspace', 'shop.stepwise');
    expect(checked.code).toBe(1);
    expect(checked.out).toMatch(/Connector "shop" has no action "get_gift_card"/);
    expect(checked.out).toMatch(/There is no team called "Gift team"/);
    expect(checked.out).not.toMatch(/unknown-procedure/);
    const alone = await run(dir, 'validate', 'new.md');
    expect(alone.out).toMatch(/not checked: connectors are only known inside a workspace/);
    expect(alone.out).not.toMatch(/get_gift_card"|Gift team/);

    const edited = readFileSync(new URL('../../examples/refund-request.md', import.meta.url), 'utf8').replace('Never promise a refund', 'Never, ever promise a refund');
    writeFileSync(join(dir, 'refund.md'), edited);
    const published = await run(dir, 'publish', 'Refund request', '--workspace', 'shop.stepwise', '--from', 'refund.md', '--note', 'clearer', '--force');
    expect(published.code).toBe(0);
    expect(published.out).toMatch(/Published "Refund request" as version 2/);
    expect((await run(dir, 'publish', 'Refund request', '--workspace', 'shop.stepwise', '--force')).err).toMatch(/Nothing to publish/);

    const exported = await run(dir, 'export', '--workspace', 'shop.stepwise', '--out', 'refund.bundle', '--procedure', 'Refund request');
    expect(exported.code).toBe(0);
    expect((await run(dir, 'verify', 'refund.bundle')).code).toBe(0);
    expect((await run(dir, 'keys', 'public', '--workspace', 'shop.stepwise', '--out', 'shop.pub')).code).toBe(0);
    expect((await run(dir, 'verify', 'refund.bundle', '--trust', 'shop.pub')).out).toMatch(/signer is trusted/);

    const tampered = JSON.parse(readFileSync(join(dir, 'refund.bundle'), 'utf8'));
    const path = Object.keys(tampered.entries).find((entry) => entry.startsWith('procedures/'))!;
    tampered.entries[path] += '\nExtra line.\n';
    writeFileSync(join(dir, 'tampered.bundle'), JSON.stringify(tampered));
    const bad = await run(dir, 'verify', 'tampered.bundle');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/NOT valid.*changed after the bundle was signed/);

    await run(dir, 'workspace', 'init', 'other.stepwise');
    await run(dir, 'keys', 'public', '--workspace', 'other.stepwise', '--out', 'other.pub');
    const wrongKey = await run(dir, 'verify', 'refund.bundle', '--trust', 'other.pub');
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toMatch(/not a trusted key/);

    const untrusted = await run(dir, 'import', 'refund.bundle', '--workspace', 'other.stepwise');
    expect(untrusted.code).toBe(1);
    expect(untrusted.err).toMatch(/--trust/);
    const imported = await run(dir, 'import', 'refund.bundle', '--workspace', 'other.stepwise', '--trust', 'shop.pub');
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/procedure "Refund request": created/);
  });

  it('import without a terminal lists the conflicts and exits 2 unless --on-conflict says what to do', async () => {
    const dir = tempDir();
    await run(dir, 'workspace', 'init', 'a.stepwise', '--example');
    await run(dir, 'export', '--workspace', 'a.stepwise', '--out', 'all.bundle');
    await run(dir, 'keys', 'public', '--workspace', 'a.stepwise', '--out', 'a.pub');
    await run(dir, 'workspace', 'init', 'b.stepwise', '--example');
    // Make one Procedure differ so that it conflicts.
    const edited = readFileSync(new URL('../../examples/verify-identity.md', import.meta.url), 'utf8').replace('## ', '## Before we start\nSay hi.\n\n## ');
    writeFileSync(join(dir, 'v.md'), edited);
    expect((await run(dir, 'publish', 'Verify identity', '--workspace', 'b.stepwise', '--from', 'v.md', '--force')).code).toBe(0);

    const refused = await run(dir, 'import', 'all.bundle', '--workspace', 'b.stepwise', '--trust', 'a.pub');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/procedure "Verify identity"[\s\S]*--on-conflict rename\|replace\|skip/);

    // The refused import trusted nothing: without --trust the signer is still unknown to b.
    const stillUntrusted = await run(dir, 'import', 'all.bundle', '--workspace', 'b.stepwise', '--on-conflict', 'skip');
    expect(stillUntrusted.code).toBe(1);
    expect(stillUntrusted.err).toMatch(/not a trusted key/);
    const skipped = await run(dir, 'import', 'all.bundle', '--workspace', 'b.stepwise', '--trust', 'a.pub', '--on-conflict', 'skip');
    expect(skipped.code).toBe(0);
    expect(skipped.out).toMatch(/procedure "Verify identity": skipped/);
    expect((await run(dir, 'import', 'all.bundle', '--workspace', 'b.stepwise', '--on-conflict', 'maybe')).code).toBe(2);
  });

  it('asks interactively when it can, and follows the answers', async () => {
    const dir = tempDir();
    await run(dir, 'workspace', 'init', 'a.stepwise', '--example');
    await run(dir, 'export', '--workspace', 'a.stepwise', '--out', 'all.bundle', '--procedure', 'Verify identity');
    await run(dir, 'keys', 'public', '--workspace', 'a.stepwise', '--out', 'a.pub');
    await run(dir, 'workspace', 'init', 'b.stepwise');
    writeFileSync(join(dir, 'v.md'), '---\nname: Verify identity\nsub_procedure: true\n---\n\n## Check\nAsk for the code. @end\n');
    await run(dir, 'publish', 'Verify identity', '--workspace', 'b.stepwise', '--from', 'v.md', '--force');
    const questions: string[] = [];
    const io = Object.assign(captureIo(dir), { ask: async (question: string) => (questions.push(question), questions.length === 1 ? 'what?' : 'r') });
    expect(await runCli(['import', 'all.bundle', '--workspace', 'b.stepwise', '--trust', 'a.pub', '--on-conflict', 'rename'], captureIo(dir))).toBe(0);
    const code = await runCli(['import', 'all.bundle', '--workspace', 'b.stepwise'], io);
    expect(code).toBe(0);
    expect(questions[0]).toMatch(/already has a procedure "Verify identity"/);
    expect(questions).toHaveLength(2); // an answer it did not understand is asked again
  });

  it('knowledge import reports bad files by name, and commands explain a file that is not a workspace', async () => {
    const dir = tempDir();
    await run(dir, 'workspace', 'init', 'w.stepwise');
    writeFileSync(join(dir, 'good.md'), '# Gift cards\nThey never expire.\n');
    writeFileSync(join(dir, 'bad.json'), '[{"title": "x"}]');
    const folder = join(dir, 'kb');
    (await import('node:fs')).mkdirSync(folder);
    writeFileSync(join(folder, 'good.md'), '# Gift cards\nThey never expire.\n');
    writeFileSync(join(folder, 'bad.json'), '[{"title": "x"}]');
    const imported = await run(dir, 'knowledge', 'import', 'kb', '--workspace', 'w.stepwise');
    expect(imported.code).toBe(1);
    expect(imported.err).toMatch(/skipped bad.json\[0\] \("x"\)/);
    expect(imported.out).toMatch(/Imported 1 new/);

    writeFileSync(join(dir, 'notes.txt'), 'just text');
    const notWorkspace = await run(dir, 'knowledge', 'search', 'gift', '--workspace', 'notes.txt');
    expect(notWorkspace.code).toBe(1);
    expect(notWorkspace.err).toMatch(/not an SQLite database/);
    expect((await run(dir, 'knowledge', 'search', 'gift')).code).toBe(2);
    expect(existsSync(join(dir, 'missing.stepwise'))).toBe(false);
    expect((await run(dir, 'publish', 'X', '--workspace', 'missing.stepwise')).err).toMatch(/There is no workspace at/);
  });
});
