// Loading the bundles a server is told to serve: each one read with the size cap, verified against
// the trusted keys only (a bundle without a valid signature by one of them is refused, naming the
// bundle and the reason), then merged into one set. Two bundles may carry the same Procedure or
// connector only with the same content. The Python of every Procedure is checked in the sandbox
// first, as an import does: a set with Python the sandbox refuses is refused whole.
import { basename } from 'node:path';
import { bundledConnectors } from '../bundles/capabilities';
import { BundleError, bundledKnowledgeSchema, parseBundleEntry } from '../bundles/format';
import { readBundleFile } from '../bundles/read';
import { verifyBundle } from '../bundles/verify';
import { isReservedSecret, reservedSecretMessage } from '../connectors/capabilities';
import { secretNames, type ConnectorDefinition } from '../connectors/definition';
import type { ArticleInput } from '../knowledge/article';
import { pythonProblems, type PythonChecker } from '../procedures/python-gate';
import { compileProcedure, type CompiledProcedure } from '../runtime/compiled-procedure';
import { contentHash } from '../store/hash';

export interface LoadedBundle {
  file: string;
  fingerprint: string;
  /** sha256 of the signed manifest text: names this exact bundle. */
  manifestHash: string;
  createdAt: string;
  procedures: string[];
}

export interface BundleSet {
  bundles: LoadedBundle[];
  /** By name: the compiled Procedure, whose `version` is its content hash. */
  procedures: Map<string, CompiledProcedure>;
  connectors: ConnectorDefinition[];
  articles: ArticleInput[];
  /** Every secret name the connectors read, sorted. */
  secretNames: string[];
  /** Names the whole set: the manifest hashes of its bundles. */
  hash: string;
}

/** A bundle set the server refuses to serve; the message names the bundle and why. */
export class BundleSetError extends Error {
  constructor(
    message: string,
    readonly reason: 'unsigned' | 'tampered' | 'untrusted' | 'invalid' | 'conflict' | 'python' | 'forbidden' | 'unreadable',
  ) {
    super(message);
    this.name = 'BundleSetError';
  }
}

export async function loadBundleSet(files: readonly string[], options: { trustedKeys: readonly string[]; sandbox: PythonChecker | undefined; maxBytes?: number }): Promise<BundleSet> {
  if (files.length === 0) throw new BundleSetError('No bundle to serve: give at least one bundle file.', 'invalid');
  if (options.trustedKeys.length === 0) throw new BundleSetError('No trusted key: give the public key of the bundles\' signer with --trust <public-key-file> (a server never runs a bundle whose signer it was not told to trust).', 'untrusted');
  const bundles: LoadedBundle[] = [];
  const procedures = new Map<string, { compiled: CompiledProcedure; text: string; from: string }>();
  const connectors = new Map<string, { definition: ConnectorDefinition; from: string }>();
  const articles = new Map<string, { article: ArticleInput; from: string }>();
  for (const file of files) {
    const name = basename(file);
    let text: string;
    try {
      text = readBundleFile(file, options.maxBytes);
    } catch (error) {
      if (error instanceof BundleError) throw refusal(name, error);
      throw new BundleSetError(`Bundle ${name} could not be read: ${(error as Error).message}`, 'unreadable');
    }
    let verified;
    try {
      verified = verifyBundle(text, { trustedKeys: [...options.trustedKeys], ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}) });
    } catch (error) {
      if (error instanceof BundleError) throw refusal(name, error);
      throw error;
    }
    const loaded: LoadedBundle = { file, fingerprint: verified.fingerprint, manifestHash: contentHash(verified.bundle.manifest), createdAt: verified.manifest.createdAt, procedures: [] };
    for (const entry of verified.index.procedures) {
      const procedureText = verified.bundle.entries[entry.path]!;
      const hash = contentHash(procedureText);
      const existing = procedures.get(entry.name);
      if (existing && contentHash(existing.text) !== hash) {
        throw new BundleSetError(`Bundles ${existing.from} and ${name} both carry the Procedure "${entry.name}", with different texts; serve one of them.`, 'conflict');
      }
      if (!existing) procedures.set(entry.name, { compiled: compileProcedure(procedureText, hash), text: procedureText, from: name });
      loaded.procedures.push(entry.name);
    }
    for (const definition of bundledConnectors(verified)) {
      const reserved = secretNames(definition).find(isReservedSecret);
      if (reserved !== undefined) throw new BundleSetError(`Bundle ${name} refused: ${reservedSecretMessage(definition.name, reserved)}`, 'forbidden');
      const existing = connectors.get(definition.name);
      if (existing && JSON.stringify(existing.definition) !== JSON.stringify(definition)) {
        throw new BundleSetError(`Bundles ${existing.from} and ${name} both carry the connector "${definition.name}", with different definitions; serve one of them.`, 'conflict');
      }
      if (!existing) connectors.set(definition.name, { definition, from: name });
    }
    if (verified.index.knowledge) {
      for (const article of parseBundleEntry(bundledKnowledgeSchema, verified.bundle.entries[verified.index.knowledge]!, verified.index.knowledge)) {
        if (!articles.has(article.title)) articles.set(article.title, { article, from: name });
      }
    }
    bundles.push(loaded);
  }
  const problems = await pythonProblems([...procedures.entries()].map(([procedureName, { text }]) => ({ name: procedureName, text })), options.sandbox);
  if (problems.length > 0) throw new BundleSetError(`The bundles were refused: the sandbox does not accept their Python:\n${problems.map((line) => `  ${line}`).join('\n')}`, 'python');
  const definitions = [...connectors.values()].map((entry) => entry.definition);
  return {
    bundles,
    procedures: new Map([...procedures].map(([procedureName, { compiled }]) => [procedureName, compiled])),
    connectors: definitions,
    articles: [...articles.values()].map((entry) => entry.article),
    secretNames: [...new Set(definitions.flatMap(secretNames))].sort(),
    hash: contentHash(bundles.map((bundle) => bundle.manifestHash).join('\n')),
  };
}

function refusal(name: string, error: BundleError): BundleSetError {
  const reason = error.code === 'tampered' ? 'tampered' : error.code === 'untrusted' ? 'untrusted' : error.code === 'invalid' && /signature/i.test(error.message) ? 'unsigned' : 'invalid';
  const label = { unsigned: 'not signed', tampered: 'tampered with', untrusted: 'signed by a key this server does not trust', invalid: 'not a valid bundle' }[reason];
  return new BundleSetError(`Bundle ${name} refused (${label}): ${error.message}`, reason);
}
