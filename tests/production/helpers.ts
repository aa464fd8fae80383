// Signed bundles, API keys and a running production server for the tests in this folder, all
// real: bundles exported and signed by a real workspace, the server listening on 127.0.0.1:0, the
// model answered by the fake Messages API through the real SDK.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { exportBundle, serializeBundle } from '../../main/bundles/export';
import { workspaceSigningKey } from '../../main/bundles/signing';
import type { ConnectorDefinition } from '../../main/connectors/definition';
import { createApiKey } from '../../main/production/api-keys';
import { resolveConfig, type ServerConfigInput } from '../../main/production/config';
import { startProductionServer, type ProductionServer } from '../../main/production/server';
import { EncryptedFileSecretStore } from '../../main/secrets/encrypted-file-store';
import { Workspace } from '../../main/store/workspace';

export const HANDOFF_PROCEDURE = `---
name: Order help
trigger: The customer asks about an order.
attributes:
  order_number:
    type: string
---

## Hand over
Collect {order_number}. Tell them a person from the orders team takes over. @handoff Orders team
`;

/** A Procedure that looks the customer up in the CRM (a connector reading the secret crm.api_token). */
export const CRM_PROCEDURE = `---
name: Account question
trigger: The customer asks about their account.
---

## Look up
Look the customer up with @crm.lookup. @end
`;

export const GREETING_PROCEDURE = (greeting = 'Say hello and ask how you can help.') => `---
name: Greeting
trigger: The customer only says hello.
---

## Greet
${greeting} @end
`;

/** A Procedure of two steps that talks until the return is confirmed (the turn tests' and the production bench's). */
export const RETURNS_PROCEDURE = `---
name: Returns
trigger: The customer wants to return something.
---

## Talk
Help them with the return, one question at a time.

## Done
Confirm the return. @end
`;

export const CRM_CONNECTOR: ConnectorDefinition = {
  kind: 'http',
  name: 'crm',
  description: 'The CRM',
  baseUrl: 'https://crm.example.com',
  auth: { type: 'bearer', secret: 'crm.api_token' },
  actions: [{ name: 'lookup', description: 'Look a customer up', method: 'GET', path: '/customers', inputSchema: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] } }],
} as unknown as ConnectorDefinition;

/** A temporary folder per test, removed afterwards. */
export function useTempDir(): () => string {
  let dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-production-'));
    dirs.push(dir);
    return dir;
  };
}

export interface Signer {
  workspace: Workspace;
  secrets: EncryptedFileSecretStore;
  /** The signer's public key file. */
  publicKeyFile: string;
  close(): void;
}

/** A studio workspace that signs bundles, with its public key written to a file. */
export async function newSigner(dir: string, name = 'studio'): Promise<Signer> {
  const workspace = Workspace.create(join(dir, `${name}.stepwise`));
  const secrets = new EncryptedFileSecretStore({ file: join(dir, `${name}.secrets`), keyFile: join(dir, `${name}.key`) });
  const key = await workspaceSigningKey(workspace, secrets);
  const publicKeyFile = join(dir, `${name}.pub`);
  writeFileSync(publicKeyFile, key.publicKeyPem);
  return { workspace, secrets, publicKeyFile, close: () => workspace.close() };
}

/** Publishes `texts` in the signer's workspace (new versions of existing names) and exports them to `file`. */
export async function writeBundle(signer: Signer, file: string, texts: string[], options: { connectors?: ConnectorDefinition[]; knowledge?: boolean } = {}): Promise<string> {
  for (const connector of options.connectors ?? []) signer.workspace.connectors.save(connector);
  const names: string[] = [];
  for (const text of texts) {
    const name = /name: (.+)/.exec(text)![1]!;
    if (signer.workspace.procedures.get(name)) signer.workspace.procedures.saveDraft(name, text);
    else signer.workspace.procedures.create(text);
    try {
      signer.workspace.procedures.publish(name);
    } catch (error) {
      if (!/unchanged|already live|same as/i.test((error as Error).message)) throw error;
    }
    names.push(name);
  }
  const { bundle } = await exportBundle(signer.workspace, signer.secrets, { procedures: names, includeSimulations: false, ...(options.knowledge ? { includeKnowledge: true } : {}) });
  writeFileSync(file, serializeBundle(bundle));
  return file;
}

export interface RunningServer {
  server: ProductionServer;
  url: string;
  database: string;
  /** A conversations-scope key and an admin key. */
  key: string;
  adminKey: string;
  logs: string[];
  request(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/** Creates the database with two keys, then starts a server on it. */
export async function startServer(input: ServerConfigInput & { database: string }, env: NodeJS.ProcessEnv): Promise<RunningServer> {
  const { key, adminKey } = await makeKeys(input.database);
  const logs: string[] = [];
  const server = await startProductionServer({
    config: resolveConfig({ port: 0, logLevel: 'info', ...input }),
    env,
    logDestination: { write: (line: string) => void logs.push(line) },
  });
  const request = (path: string, init: RequestInit & { key?: string | null; json?: unknown } = {}) => {
    const { key: given, json, headers, ...rest } = init;
    const bearer = given === undefined ? key : given;
    return fetch(`${server.url}${path}`, {
      ...rest,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(headers as Record<string, string> | undefined) },
      ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? 'POST' } : {}),
    });
  };
  return { server, url: server.url, database: input.database, key, adminKey, logs, request, close: () => server.close() };
}

/** The model key the servers of these tests are given (the fake Messages API takes any). */
export const MODEL_KEY = 'sk-test-model-key';

/** One test's shop: a temporary folder, a studio workspace that signs, and its signed bundle. */
export interface Shop {
  readonly dir: string;
  readonly signer: Signer;
  /** The bundle `serve` serves: dir/shop.bundle, unless the test points it at another. */
  bundle: string;
  /**
   * Starts a server on the bundle, trusting the signer, with its database at dir/server.sqlite and
   * the model at `fake` (`config` and `env` add to or override those); it is closed after the test,
   * and closing it first is fine.
   */
  serve(fake: { url: string }, config?: Partial<ServerConfigInput>, env?: NodeJS.ProcessEnv): Promise<RunningServer>;
}

/**
 * A new shop for each test of the describe block it is called in, whose bundle holds `procedures`
 * published; after the test its servers and signer are closed and its folder removed.
 */
export function useShop(procedures: readonly string[]): Shop {
  const tempDir = useTempDir();
  let current: { dir: string; signer: Signer; bundle: string } | null = null;
  const servers: RunningServer[] = [];
  const shop = () => {
    if (!current) throw new Error('useShop: the shop exists only while a test runs');
    return current;
  };
  beforeEach(async () => {
    const dir = tempDir();
    const signer = await newSigner(dir);
    current = { dir, signer, bundle: '' };
    current.bundle = await writeBundle(signer, join(dir, 'shop.bundle'), [...procedures]);
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    current?.signer.close();
    current = null;
  });
  return {
    get dir() {
      return shop().dir;
    },
    get signer() {
      return shop().signer;
    },
    get bundle() {
      return shop().bundle;
    },
    set bundle(file: string) {
      shop().bundle = file;
    },
    async serve(fake, config = {}, env = {}) {
      const { dir, signer, bundle } = shop();
      const running = await startServer({ bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite'), ...config }, { ANTHROPIC_API_KEY: MODEL_KEY, ANTHROPIC_BASE_URL: fake.url, ...env });
      let closing: Promise<void> | null = null;
      const server: RunningServer = { ...running, close: () => (closing ??= running.close()) };
      servers.push(server);
      return server;
    },
  };
}

export async function makeKeys(database: string): Promise<{ key: string; adminKey: string }> {
  const workspace = openOrCreate(database);
  try {
    const key = (await createApiKey(workspace.production, { name: 'widget', scope: 'conversations' })).token;
    const adminKey = (await createApiKey(workspace.production, { name: 'ops', scope: 'admin' })).token;
    return { key, adminKey };
  } finally {
    workspace.close();
  }
}

export function openOrCreate(path: string): Workspace {
  try {
    return Workspace.open(path);
  } catch {
    Workspace.create(path).close();
    return Workspace.open(path);
  }
}

/** The events of an SSE body, in order. */
export function parseSse(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
      return { event, data: JSON.parse(data) as unknown };
    });
}

/** Polls `check` until it gives something truthy. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `stepwise serve …` as its own process; resolves with its URL once it listens. */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'main/cli/index.ts', ...args], { env, cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout!.resume();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The server did not start in time:\n${stderr}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /at (http:\/\/[^ ]+) \(/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The server exited with ${code}:\n${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr };
}
