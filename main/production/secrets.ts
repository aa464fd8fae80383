// Connector secrets on a server: from environment variables or a secrets file (JSON, name → value),
// matched by the secret names the bundles' connectors use. The environment variable for a secret is
// STEPWISE_SECRET_ and its name upper-cased, with every character other than a letter or a digit
// made "_" (shop.api_token → STEPWISE_SECRET_SHOP_API_TOKEN); the environment wins over the file.
// Read-only: a server never writes a secret anywhere.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SecretStore } from '../secrets/secret-store';

export function secretEnvironmentName(name: string): string {
  return `STEPWISE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const secretsFileSchema = z.record(z.string().min(1), z.string());

export class SecretsError extends Error {
  constructor(
    message: string,
    readonly missing: string[] = [],
  ) {
    super(message);
    this.name = 'SecretsError';
  }
}

/** The values of a secrets file, or an error naming the file (never a value). */
export function readSecretsFile(path: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SecretsError(`The secrets file ${path} could not be read as JSON: ${(error as NodeJS.ErrnoException).code ?? 'not JSON'}.`);
  }
  const parsed = secretsFileSchema.safeParse(raw);
  if (!parsed.success) throw new SecretsError(`The secrets file ${path} must be one JSON object of secret names to string values.`);
  return parsed.data;
}

export class ServerSecretStore implements SecretStore {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly file: Readonly<Record<string, string>> = {},
  ) {}

  async get(name: string): Promise<string | null> {
    return this.env[secretEnvironmentName(name)] ?? this.file[name] ?? null;
  }

  async set(): Promise<void> {
    throw new SecretsError('A server reads secrets from its environment or secrets file; it never stores one.');
  }

  async delete(): Promise<boolean> {
    throw new SecretsError('A server reads secrets from its environment or secrets file; it never deletes one.');
  }

  async names(): Promise<string[]> {
    return Object.keys(this.file);
  }

  /** Every value this store can give out, so logs can redact them. */
  values(names: readonly string[]): string[] {
    return names.map((name) => this.env[secretEnvironmentName(name)] ?? this.file[name]).filter((value): value is string => typeof value === 'string' && value.length > 0);
  }

  /** Throws listing every name in `names` that has no value, with where to put it. */
  async requireAll(names: readonly string[]): Promise<void> {
    const missing: string[] = [];
    for (const name of names) if ((await this.get(name)) === null) missing.push(name);
    if (missing.length > 0) {
      throw new SecretsError(
        `The bundles' connectors need ${missing.length} secret${missing.length === 1 ? '' : 's'} this server was not given:\n${missing
          .map((name) => `  ${name} (environment variable ${secretEnvironmentName(name)}, or "${name}" in the secrets file)`)
          .join('\n')}`,
        missing,
      );
    }
  }
}
