// Verifying a bundle: its structure, the manifest's Ed25519 signature, every entry's sha256, and,
// when trusted keys are given, that the signer is one of them. Any tampering fails with a
// message saying what does not match. The index and the team definitions are checked for shape
// here, so `stepwise verify` refuses what an import would refuse.
import { z } from 'zod';
import { describeZodError } from '../validation/zod-error';
import { sha256 } from './export';
import { BUNDLE_FORMAT_VERSION, BundleError, bundleFileSchema, bundleIndexSchema, bundledTeamsSchema, INDEX_PATH, manifestSchema, parseBundleEntry, TEAMS_PATH, type BundledTeam, type BundleFile, type BundleIndex, type Manifest } from './format';
import { checkBundleSize } from './read';
import { fingerprintOf, verifyBytes } from './signing';

export interface VerifiedBundle {
  bundle: BundleFile;
  manifest: Manifest;
  index: BundleIndex;
  /** The team definitions it carries; null for a bundle written before bundles carried them (team names only). */
  teams: BundledTeam[] | null;
  fingerprint: string;
  /** True when checked against trusted keys and found among them; null when no keys were given. */
  trusted: boolean | null;
}

export interface VerifyOptions {
  /** Public keys (PEM) the signer must be one of. Absent: only integrity and signature are checked. */
  trustedKeys?: string[];
  /** The largest bundle accepted, in bytes (./read.ts's default when absent). */
  maxBytes?: number;
}

export function verifyBundle(text: string, options: VerifyOptions = {}): VerifiedBundle {
  checkBundleSize(text, options.maxBytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BundleError('This is not a Stepwise bundle: it is not JSON.', 'invalid');
  }
  const file = bundleFileSchema.safeParse(raw);
  if (!file.success) throw new BundleError(`This is not a valid Stepwise bundle: ${describeZodError(file.error)}`, 'invalid');
  const bundle = file.data;

  let manifestRaw: unknown;
  try {
    manifestRaw = JSON.parse(bundle.manifest);
  } catch {
    throw new BundleError('The bundle\'s manifest is not JSON: the bundle is damaged.', 'tampered');
  }
  const version = z.looseObject({ formatVersion: z.number() }).safeParse(manifestRaw);
  if (version.success && version.data.formatVersion > BUNDLE_FORMAT_VERSION) {
    throw new BundleError(`The bundle has format version ${version.data.formatVersion}; this Stepwise reads up to version ${BUNDLE_FORMAT_VERSION}. Update Stepwise.`, 'unsupported');
  }
  const parsedManifest = manifestSchema.safeParse(manifestRaw);
  if (!parsedManifest.success) throw new BundleError(`The bundle's manifest is not valid: ${describeZodError(parsedManifest.error)}`, 'invalid');
  const manifest = parsedManifest.data;

  const fingerprint = fingerprintOf(manifest.publicKey);
  if (fingerprint !== manifest.keyFingerprint) {
    throw new BundleError(`The manifest names key ${manifest.keyFingerprint} but carries key ${fingerprint}: the bundle was tampered with.`, 'tampered');
  }
  if (!verifyBytes(Buffer.from(bundle.manifest, 'utf8'), bundle.signature, manifest.publicKey)) {
    throw new BundleError(`The signature does not match the manifest: the manifest was changed or swapped after it was signed by ${fingerprint}.`, 'tampered');
  }

  const listed = new Set<string>();
  for (const entry of manifest.entries) {
    listed.add(entry.path);
    const content = bundle.entries[entry.path];
    if (content === undefined) throw new BundleError(`The manifest lists ${entry.path}, but the bundle does not contain it.`, 'tampered');
    if (sha256(content) !== entry.sha256 || Buffer.byteLength(content) !== entry.bytes) {
      throw new BundleError(`${entry.path} was changed after the bundle was signed: its sha256 does not match the manifest.`, 'tampered');
    }
  }
  const extra = Object.keys(bundle.entries).filter((path) => !listed.has(path));
  if (extra.length > 0) throw new BundleError(`The bundle holds ${extra.join(', ')}, which the signed manifest does not list.`, 'tampered');

  let trusted: boolean | null = null;
  if (options.trustedKeys) {
    const fingerprints = options.trustedKeys.map(fingerprintOf);
    trusted = fingerprints.includes(fingerprint);
    if (!trusted) {
      throw new BundleError(
        `The bundle is signed by key ${fingerprint}, which is not a trusted key${fingerprints.length > 0 ? ` (trusted: ${fingerprints.join(', ')})` : ''}.`,
        'untrusted',
      );
    }
  }

  const indexText = bundle.entries[INDEX_PATH];
  if (indexText === undefined) throw new BundleError(`The bundle has no ${INDEX_PATH}.`, 'invalid');
  const index = parseBundleEntry(bundleIndexSchema, indexText, INDEX_PATH);
  for (const path of [...index.procedures, ...index.connectors, ...index.simulations].map((item) => item.path).concat(index.knowledge ?? [])) {
    if (bundle.entries[path] === undefined) throw new BundleError(`${INDEX_PATH} refers to ${path}, which is not in the bundle.`, 'invalid');
  }
  const teamsText = bundle.entries[TEAMS_PATH];
  const teams = teamsText === undefined ? null : parseBundleEntry(bundledTeamsSchema, teamsText, TEAMS_PATH);
  return { bundle, manifest, index, teams, fingerprint, trusted };
}
