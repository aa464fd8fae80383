// Ed25519 keys for signing bundles, one pair per workspace. The private key goes through the
// SecretStore; the workspace file keeps only the public key and its fingerprint.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import { BundleError } from './format';

export interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

/** `ed25519:` and the first 32 hex digits of the SHA-256 of the public key (DER). */
export function fingerprintOf(publicKeyPem: string): string {
  const der = publicKeyFromPem(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 32)}`;
}

export function publicKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new BundleError('The public key is not a valid PEM public key.', 'invalid');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new BundleError(`The public key is a ${key.asymmetricKeyType} key; bundles are signed with Ed25519.`, 'invalid');
  return key;
}

export function signBytes(data: Buffer, key: KeyObject): string {
  return sign(null, data, key).toString('base64');
}

export function verifyBytes(data: Buffer, signature: string, publicKeyPem: string): boolean {
  return verify(null, data, publicKeyFromPem(publicKeyPem), Buffer.from(signature, 'base64'));
}

/** The workspace's signing key, created on first use. */
export async function workspaceSigningKey(workspace: Workspace, secrets: SecretStore): Promise<SigningKey> {
  const record = workspace.keys.signingKey();
  if (record) {
    const pem = await secrets.get(record.secretName);
    if (pem === null) {
      throw new BundleError(
        `The private half of this workspace's signing key (${record.fingerprint}) is not in the secret store (secret "${record.secretName}"), so bundles cannot be signed. Restore the secrets file, or start a new workspace.`,
        'incomplete',
      );
    }
    return { privateKey: createPrivateKey(pem), publicKeyPem: record.publicKey, fingerprint: record.fingerprint };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const fingerprint = fingerprintOf(publicKeyPem);
  const secretName = `stepwise.signing-key.${workspaceId(workspace)}`;
  await secrets.set(secretName, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  workspace.transaction(() => {
    workspace.keys.setSigningKey({ publicKey: publicKeyPem, fingerprint, secretName });
    workspace.keys.trust({ publicKey: publicKeyPem, fingerprint, label: 'this workspace' });
  });
  return { privateKey, publicKeyPem, fingerprint };
}

/** A random id for the workspace, made once; it keeps secret names apart in a shared keychain. */
export function workspaceId(workspace: Workspace): string {
  return workspace.meta.id();
}
