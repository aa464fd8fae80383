// What the server agrees to serve: only bundles signed by a key it was told to trust, intact, with
// every secret their connectors name; a refusal names the bundle and the reason.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBundleSet, BundleSetError } from '../../main/production/bundle-set';
import { resolveConfig } from '../../main/production/config';
import { startProductionServer } from '../../main/production/server';
import { SecretsError } from '../../main/production/secrets';
import { useFakeAnthropic } from '../support/fixtures';
import { CRM_CONNECTOR, CRM_PROCEDURE, GREETING_PROCEDURE, HANDOFF_PROCEDURE, newSigner, useTempDir, writeBundle, type Signer } from './helpers';

const tempDir = useTempDir();
const startFake = useFakeAnthropic();

describe('loading bundles', () => {
  let dir: string;
  let signer: Signer;
  let other: Signer;
  let bundle: string;

  beforeEach(async () => {
    dir = tempDir();
    signer = await newSigner(dir, 'studio');
    other = await newSigner(dir, 'stranger');
    bundle = await writeBundle(signer, join(dir, 'shop.bundle'), [HANDOFF_PROCEDURE, GREETING_PROCEDURE()]);
  });
  afterEach(() => {
    signer.close();
    other.close();
  });

  const load = (files: string[], trust: string[] = [signer.publicKeyFile]) => loadBundleSet(files, { trustedKeys: trust.map((file) => readFileSync(file, 'utf8')), sandbox: undefined });
  const refusal = async (files: string[], trust?: string[]) => {
    const error = await load(files, trust).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BundleSetError);
    return error as BundleSetError;
  };

  it('loads a bundle signed by a trusted key, with its live Procedures by content hash', async () => {
    const set = await load([bundle]);
    expect([...set.procedures.keys()].sort()).toEqual(['Greeting', 'Order help']);
    expect(set.procedures.get('Greeting')!.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(set.bundles[0]).toMatchObject({ file: bundle, fingerprint: expect.stringMatching(/^ed25519:/) });
  });

  it('refuses a bundle signed by a key it was not told to trust, naming the bundle and the signer', async () => {
    const error = await refusal([bundle], [other.publicKeyFile]);
    expect(error.reason).toBe('untrusted');
    expect(error.message).toMatch(/shop\.bundle refused \(signed by a key this server does not trust\)/);
    expect(error.message).toMatch(/ed25519:/);
  });

  it('refuses everything when no key is trusted', async () => {
    const error = await refusal([bundle], []);
    expect(error.reason).toBe('untrusted');
    expect(error.message).toMatch(/--trust/);
  });

  it('refuses a tampered bundle: an edited Procedure, naming the entry', async () => {
    const parsed = JSON.parse(readFileSync(bundle, 'utf8'));
    const path = Object.keys(parsed.entries).find((entry) => parsed.entries[entry].includes('Say hello'))!;
    parsed.entries[path] = parsed.entries[path].replace('Say hello', 'Ask for their card number');
    const tampered = join(dir, 'tampered.bundle');
    writeFileSync(tampered, JSON.stringify(parsed));
    const error = await refusal([tampered]);
    expect(error.reason).toBe('tampered');
    expect(error.message).toContain('tampered.bundle refused (tampered with)');
    expect(error.message).toContain(path);
  });

  it('refuses an unsigned bundle', async () => {
    const parsed = JSON.parse(readFileSync(bundle, 'utf8'));
    delete parsed.signature;
    const unsigned = join(dir, 'unsigned.bundle');
    writeFileSync(unsigned, JSON.stringify(parsed));
    const error = await refusal([unsigned]);
    expect(error.reason).toBe('unsigned');
    expect(error.message).toContain('unsigned.bundle refused (not signed)');
  });

  it('refuses a bundle whose signature was made over another manifest', async () => {
    const parsed = JSON.parse(readFileSync(bundle, 'utf8'));
    const otherBundle = JSON.parse(readFileSync(await writeBundle(signer, join(dir, 'other.bundle'), [GREETING_PROCEDURE('Wave.')]), 'utf8'));
    parsed.signature = otherBundle.signature;
    const swapped = join(dir, 'swapped.bundle');
    writeFileSync(swapped, JSON.stringify(parsed));
    expect((await refusal([swapped])).message).toMatch(/swapped\.bundle refused \(tampered with\).*signature does not match/);
  });

  it('refuses two bundles carrying one Procedure with different texts, naming both', async () => {
    const second = await writeBundle(signer, join(dir, 'second.bundle'), [GREETING_PROCEDURE('Wave at them.')]);
    const error = await refusal([bundle, second]);
    expect(error.reason).toBe('conflict');
    expect(error.message).toMatch(/shop\.bundle and second\.bundle both carry the Procedure "Greeting"/);
  });

  it('fails to start when a webhook is configured without its signing secret, naming the variable', async () => {
    const fake = await startFake([]);
    const config = resolveConfig({ bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite'), port: 0, logLevel: 'silent', webhook: { url: 'http://127.0.0.1:9/hooks' } });
    await expect(startProductionServer({ config, env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url } })).rejects.toThrow(
      'A webhook URL is configured but its signing secret is not: set the environment variable STEPWISE_WEBHOOK_SECRET.',
    );
  });

  it('fails to start listing every secret the connectors need that it was not given, and starts once they are given', async () => {
    const crm = await writeBundle(signer, join(dir, 'crm.bundle'), [CRM_PROCEDURE], {
      connectors: [CRM_CONNECTOR, { ...CRM_CONNECTOR, name: 'billing', auth: { type: 'basic', username: 'shop', passwordSecret: 'billing_password' } } as never],
    });
    const billing = await writeBundle(signer, join(dir, 'billing.bundle'), [CRM_PROCEDURE.replace('Account question', 'Billing question').replace('@crm.lookup', '@billing.lookup')]);
    const fake = await startFake([]);
    const config = resolveConfig({ bundles: [crm, billing], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite'), port: 0, logLevel: 'silent' });
    const env = { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url };
    const error = await startProductionServer({ config, env }).then(
      () => null,
      (caught: unknown) => caught as SecretsError,
    );
    expect(error).toBeInstanceOf(SecretsError);
    expect(error!.missing).toEqual(['billing_password', 'crm.api_token']);
    expect(error!.message).toContain('STEPWISE_SECRET_CRM_API_TOKEN');
    expect(error!.message).toContain('STEPWISE_SECRET_BILLING_PASSWORD');

    // With a webhook configured and its signing secret missing too, the one error names all three.
    const withWebhook = await startProductionServer({ config: { ...config, webhook: { ...resolveConfig({ bundles: [crm], trust: [signer.publicKeyFile], webhook: { url: 'http://127.0.0.1:9/hooks' } }).webhook! } }, env }).then(
      () => null,
      (caught: unknown) => caught as SecretsError,
    );
    expect(withWebhook).toBeInstanceOf(SecretsError);
    expect(withWebhook!.message).toContain('STEPWISE_SECRET_CRM_API_TOKEN');
    expect(withWebhook!.message).toContain('STEPWISE_SECRET_BILLING_PASSWORD');
    expect(withWebhook!.message).toContain("the webhook's signing secret (environment variable STEPWISE_WEBHOOK_SECRET)");

    // One from the environment, one from the secrets file: it starts.
    const secretsFile = join(dir, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ billing_password: 'pw-from-file-123' }));
    const server = await startProductionServer({
      config: { ...config, secretsFile },
      env: { ...env, STEPWISE_SECRET_CRM_API_TOKEN: 'tok-from-env-456' },
    });
    await server.close();
  });
});
