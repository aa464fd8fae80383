// The bundles screen's jobs over main/bundles/: this workspace's key and the trusted ones; what an
// export would hold (the closure, the secret names production must provide, simulation warnings)
// and the signed bundle itself; what an import would change, item by item, before anything is
// written; and the import with the person's choice for each conflict and each capability.
import { exportBundle, serializeBundle } from '../bundles/export';
import { BundleError, bundledKnowledgeSchema, bundledSimulationSchema, parseBundleEntry } from '../bundles/format';
import { describeImport, importBundle, sameTeam, type CapabilityRequest, type Resolution } from '../bundles/import';
import { fingerprintOf, workspaceSigningKey } from '../bundles/signing';
import { verifyBundle, type VerifiedBundle } from '../bundles/verify';
import { covers, type Capability } from '../connectors/capabilities';
import { secretNames } from '../connectors/definition';
import type { PythonChecker } from '../procedures/python-gate';
import { procedureFacts } from '../procedures/text';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import { ServiceError } from './errors';
import { gatherPublishFacts, publishWarnings } from './publish-gate';

export interface ExportChoice {
  procedures: string[];
  source: 'live' | 'draft';
  includeKnowledge: boolean;
}

export type ChangeKind = 'procedure' | 'connector' | 'team' | 'simulation' | 'article';
export interface Change {
  kind: ChangeKind;
  name: string;
  status: 'new' | 'changed' | 'same';
  /** For a changed item: the text here and the text in the bundle, for the diff. */
  mine: string | null;
  theirs: string | null;
  /** Where "keep both" puts the incoming one. */
  renameTo: string | null;
}

/** The person's answer to a conflict, in the dialog's words. */
export type ConflictChoice = 'keep-mine' | 'take-theirs' | 'keep-both';
const RESOLUTION: Record<ConflictChoice, Resolution> = { 'keep-mine': 'skip', 'take-theirs': 'replace', 'keep-both': 'rename' };

/** A capability's key in the dialog: connector, kind, name and scope. */
export const capabilityKey = (connector: string, capability: Pick<Capability, 'kind' | 'name' | 'scope'>) => [connector, capability.kind, capability.name, capability.scope].join('\u0000');

const API_CODE: Record<BundleError['code'], 'invalid' | 'conflict' | 'unauthorized' | 'unavailable'> = {
  invalid: 'invalid',
  tampered: 'invalid',
  untrusted: 'unauthorized',
  unsupported: 'invalid',
  incomplete: 'invalid',
  conflict: 'conflict',
  'too-large': 'invalid',
  forbidden: 'invalid',
};

/** Runs `work`, turning a BundleError into a ServiceError with the same message. */
async function asService<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BundleError) throw new ServiceError(API_CODE[error.code], error.message);
    throw error;
  }
}

export class BundleService {
  constructor(
    private readonly workspace: Workspace,
    private readonly secrets: SecretStore,
    private readonly python: PythonChecker | null,
  ) {}

  async keys() {
    const own = await asService(() => workspaceSigningKey(this.workspace, this.secrets));
    return {
      publicKey: own.publicKeyPem,
      fingerprint: own.fingerprint,
      trusted: this.workspace.keys.trusted().map(({ fingerprint, publicKey, label, addedAt }) => ({ fingerprint, publicKey, label, addedAt, own: fingerprint === own.fingerprint })),
    };
  }

  trust(publicKey: string, label: string) {
    const fingerprint = asServiceSync(() => fingerprintOf(publicKey));
    this.workspace.keys.trust({ publicKey: publicKey.trim() + '\n', fingerprint, label });
    return { fingerprint };
  }

  async untrust(fingerprint: string) {
    const own = await asService(() => workspaceSigningKey(this.workspace, this.secrets));
    if (fingerprint === own.fingerprint) throw new ServiceError('invalid', "This workspace's own key stays trusted: bundles it signed are always its own.");
    if (!this.workspace.keys.untrust(fingerprint)) throw new ServiceError('not-found', `No trusted key has the fingerprint ${fingerprint}.`);
    return { ok: true as const };
  }

  /** What the bundle would hold, and the file itself (signed), with what to know before shipping it. */
  async export(choice: ExportChoice) {
    const { bundle, index, undefinedTeams } = await asService(() =>
      exportBundle(this.workspace, this.secrets, { procedures: choice.procedures, source: choice.source, includeKnowledge: choice.includeKnowledge }),
    );
    const texts = index.procedures.map((procedure) => ({ name: procedure.name, text: bundle.entries[procedure.path]! }));
    const teams = [...new Set(texts.flatMap(({ text }) => procedureFacts(text).teams))].sort();
    const connectors = index.connectors.map((entry) => this.workspace.connectors.get(entry.name)!);
    const secretsNeeded = [...new Set(connectors.flatMap((connector) => secretNames(connector)))].sort();
    const warnings = texts.flatMap(({ name, text }) =>
      publishWarnings(gatherPublishFacts(this.workspace, this.workspace.procedures.get(name)?.name ?? name, text))
        .filter((warning) => warning.code !== 'placeholders')
        .map((warning) => ({ procedure: name, code: warning.code, message: warning.message })),
    );
    const articles = index.knowledge ? parseBundleEntry(bundledKnowledgeSchema, bundle.entries[index.knowledge]!, index.knowledge).length : 0;
    const fingerprint = (JSON.parse(bundle.manifest) as { keyFingerprint: string }).keyFingerprint;
    return {
      procedures: index.procedures.map(({ name, requested, source, version }) => ({ name, requested, source, version })),
      connectors: index.connectors.map((entry) => entry.name),
      teams,
      undefinedTeams,
      articles,
      simulations: index.simulations.length,
      secretsNeeded,
      warnings,
      fingerprint,
      fileName: `${fileSlug(choice.procedures.length === 1 ? choice.procedures[0]! : 'procedures')}-${choice.source}.stepwise-bundle.json`,
      text: serializeBundle(bundle),
    };
  }

  /** What importing the bundle would do; nothing is written. */
  async inspect(text: string) {
    const verified = await asService(() => verifyBundle(text));
    const trusted = this.workspace.keys.trusted().some((key) => key.fingerprint === verified.fingerprint);
    const { conflicts, capabilities } = await asService(() => describeImport(this.workspace, verified));
    const renameTo = new Map(conflicts.map((conflict) => [`${conflict.kind}\u0000${conflict.name}`, conflict.renameTo]));
    const changes = this.changes(verified).map((change) => ({ ...change, renameTo: renameTo.get(`${change.kind}\u0000${change.name}`) ?? null }));
    return {
      fingerprint: verified.fingerprint,
      trusted,
      createdAt: verified.manifest.createdAt,
      appVersion: verified.manifest.appVersion,
      changes,
      capabilities: capabilities.flatMap(({ connector, capabilities: asked }) =>
        asked.map((capability) => ({
          key: capabilityKey(connector, capability),
          connector,
          kind: capability.kind,
          description: capability.description,
          granted: covers(this.workspace.connectorGrants.list(connector), capability),
        })),
      ),
    };
  }

  /** Imports with the person's answers; refused whole (nothing written) when one is missing. */
  async import(input: { text: string; choices: Record<string, ConflictChoice>; approve: string[]; trust: boolean }) {
    const verified = await asService(() => verifyBundle(input.text));
    const trusted = this.workspace.keys.trusted().some((key) => key.fingerprint === verified.fingerprint);
    if (!trusted && !input.trust) {
      throw new ServiceError('unauthorized', `The bundle is signed by ${verified.fingerprint}, which this workspace does not trust. Trust the signer to import it.`);
    }
    const approved = new Set(input.approve);
    const report = await asService(() =>
      importBundle(
        this.workspace,
        verified,
        (conflict) => {
          const choice = input.choices[`${conflict.kind}\u0000${conflict.name}`];
          if (!choice) throw new ServiceError('invalid', `Choose what to do with the ${conflict.kind} "${conflict.name}": keep mine, take theirs or keep both.`);
          return RESOLUTION[choice];
        },
        {
          label: 'the bundles screen',
          approve: (request: CapabilityRequest) => approved.has(capabilityKey(request.connector, request.capability)),
          ...(this.python ? { python: this.python } : {}),
          ...(trusted ? {} : { trust: { publicKey: verified.manifest.publicKey, label: `trusted on import (${new Date().toISOString().slice(0, 10)})` } }),
        },
      ),
    );
    return {
      fingerprint: report.fingerprint,
      items: report.items.map((item) => ({ kind: item.kind, name: item.name, outcome: item.outcome, as: item.as ?? null })),
      approved: report.approved.map((request) => request.capability.description),
      pending: report.pending.map((request) => `${request.as}: ${request.capability.description}`),
    };
  }

  private changes(verified: VerifiedBundle): Omit<Change, 'renameTo'>[] {
    const { bundle, index } = verified;
    const changes: Omit<Change, 'renameTo'>[] = [];
    const status = (mine: string | null, theirs: string) => (mine === null ? 'new' : mine === theirs ? 'same' : 'changed');
    for (const entry of index.procedures) {
      const theirs = bundle.entries[entry.path]!;
      const record = this.workspace.procedures.get(entry.name);
      const mine = record ? (entry.source === 'live' ? this.workspace.procedures.liveText(record.name) : record.draftText) : null;
      changes.push({ kind: 'procedure', name: entry.name, status: status(mine, theirs), mine, theirs });
    }
    for (const entry of index.connectors) {
      const theirs = json(JSON.parse(bundle.entries[entry.path]!));
      const existing = this.workspace.connectors.get(entry.name);
      const mine = existing ? json(existing) : null;
      changes.push({ kind: 'connector', name: entry.name, status: status(mine, theirs), mine, theirs });
    }
    // A bundle from before teams travelled has none: its Procedures name teams only.
    for (const team of verified.teams ?? []) {
      const existing = this.workspace.teams.get(team.name);
      const status = existing === null ? 'new' : sameTeam(existing, team) ? 'same' : 'changed';
      changes.push({ kind: 'team', name: team.name, status, mine: existing ? json(existing) : null, theirs: json(team) });
    }
    for (const entry of index.simulations) {
      const simulation = parseBundleEntry(bundledSimulationSchema, bundle.entries[entry.path]!, entry.path);
      const existing = this.workspace.procedures.get(simulation.procedure) ? this.workspace.simulations.get(simulation.procedure, simulation.name) : null;
      const mine = existing ? json(existing.definition) : null;
      changes.push({ kind: 'simulation', name: `${simulation.procedure} / ${simulation.name}`, status: status(mine, json(simulation.definition)), mine, theirs: json(simulation.definition) });
    }
    if (index.knowledge) {
      for (const article of parseBundleEntry(bundledKnowledgeSchema, bundle.entries[index.knowledge]!, index.knowledge)) {
        const existing = this.workspace.knowledge.findByTitle(article.title)[0] ?? null;
        changes.push({ kind: 'article', name: article.title, status: status(existing ? existing.body : null, article.body), mine: existing?.body ?? null, theirs: article.body });
      }
    }
    return changes;
  }
}

function asServiceSync<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof BundleError) throw new ServiceError(API_CODE[error.code], error.message);
    throw error;
  }
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const fileSlug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'stepwise';
