// Exporting Procedures into a signed bundle, with everything they need to run elsewhere: the
// Procedures they call or switch to (directly or not), the connectors they use (secret names
// only), the definitions of the teams they hand off to, their simulations with the last results,
// and optionally the knowledge hub.
import { createHash } from 'node:crypto';
import { appVersion } from '../app-version';
import { slugify } from '../../shared/procedure';
import { procedureFacts, referencedProcedures } from '../procedures/text';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import { BUNDLE_FORMAT_VERSION, BundleError, INDEX_PATH, TEAMS_PATH, type BundleFile, type BundleIndex, type BundledSimulation, type BundledTeam, type Manifest } from './format';
import { signBytes, workspaceSigningKey } from './signing';

export interface ExportOptions {
  /** Names of the Procedures to export; empty or absent: every Procedure (live ones, in live mode). */
  procedures?: string[];
  /** Export what is live (default) or the drafts. */
  source?: 'live' | 'draft';
  includeKnowledge?: boolean;
  includeSimulations?: boolean;
  /** For tests: the creation time written in the manifest. */
  now?: Date;
}

interface Candidate {
  id: number;
  name: string;
  text: string;
  version: number | null;
}

export interface ExportResult {
  bundle: BundleFile;
  index: BundleIndex;
  /** The team definitions carried (teams.json). */
  teams: BundledTeam[];
  /** Teams the Procedures name that this workspace does not define: only their names travel, in the Procedures' text. */
  undefinedTeams: string[];
}

export async function exportBundle(workspace: Workspace, secrets: SecretStore, options: ExportOptions = {}): Promise<ExportResult> {
  const source = options.source ?? 'live';
  const candidates = candidatesByName(workspace, source);
  const requested = options.procedures && options.procedures.length > 0 ? options.procedures : [...candidates.keys()];
  if (requested.length === 0) throw new BundleError(source === 'live' ? 'Nothing to export: no Procedure has been published yet.' : 'Nothing to export: the workspace has no Procedures.', 'incomplete');
  for (const name of requested) {
    if (candidates.has(name)) continue;
    const record = workspace.procedures.require(name); // throws "no Procedure called …" with suggestions
    throw new BundleError(`"${record.name}" has never been published, so it has no live version to export. Publish it, or export the drafts (--draft).`, 'incomplete');
  }

  // Every Procedure reachable from the requested ones through [[…]] calls and @switch.
  const included = new Map<string, Candidate>();
  const queue = [...requested];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (included.has(name)) continue;
    const candidate = candidates.get(name)!;
    included.set(name, candidate);
    for (const called of referencedProcedures(procedureFacts(candidate.text))) {
      if (!candidates.has(called)) {
        const why = source === 'live' && workspace.procedures.get(called) ? 'which has never been published' : 'which is not in this workspace';
        throw new BundleError(`"${name}" calls [[${called}]], ${why}; the bundle would not run without it.`, 'incomplete');
      }
      if (!included.has(called)) queue.push(called);
    }
  }

  const entries: Record<string, string> = {};
  const used = new Set<string>();
  const uniquePath = (folder: string, base: string, extension: string) => {
    const slug = slugify(base).replace(/^step:/, '').replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'item';
    let path = `${folder}/${slug}${extension}`;
    for (let index = 2; used.has(path); index++) path = `${folder}/${slug}-${index}${extension}`;
    used.add(path);
    return path;
  };

  const index: BundleIndex = { procedures: [], connectors: [], knowledge: null, simulations: [] };
  const connectorNames = new Set<string>();
  const requestedSet = new Set(requested);
  for (const [name, candidate] of included) {
    const path = uniquePath('procedures', name, '.md');
    entries[path] = candidate.text;
    index.procedures.push({ name, path, source, version: candidate.version, contentHash: sha256(candidate.text), requested: requestedSet.has(name) });
    for (const action of procedureFacts(candidate.text).actions) {
      const [connectorName, actionName] = action.split('.') as [string, string];
      const connector = workspace.connectors.get(connectorName);
      if (!connector) throw new BundleError(`"${name}" uses @${action}, but the workspace has no connector "${connectorName}".`, 'incomplete');
      if (!connector.actions.some((candidateAction) => candidateAction.name === actionName)) {
        throw new BundleError(`"${name}" uses @${action}, but connector "${connectorName}" has no action "${actionName}".`, 'incomplete');
      }
      connectorNames.add(connectorName);
    }
  }
  for (const name of [...connectorNames].sort()) {
    const path = uniquePath('connectors', name, '.json');
    entries[path] = `${JSON.stringify(workspace.connectors.get(name), null, 2)}\n`;
    index.connectors.push({ name, path });
  }
  const { teams, undefinedTeams } = teamDefinitions(workspace, [...included.values()].map((candidate) => candidate.text));
  entries[TEAMS_PATH] = `${JSON.stringify(teams, null, 2)}\n`;
  if (options.includeSimulations ?? true) {
    for (const [name, candidate] of included) {
      for (const simulation of workspace.simulations.list(workspace.procedures.nameOf(candidate.id))) {
        const run = workspace.simulations.lastRun(simulation.id);
        const content: BundledSimulation = {
          procedure: name,
          name: simulation.name,
          definition: simulation.definition,
          lastRun: run
            ? { procedureHash: run.procedureHash, version: run.version, status: run.status, summary: run.summary, startedAt: run.startedAt, finishedAt: run.finishedAt, results: run.results }
            : null,
        };
        const path = uniquePath('simulations', `${name}--${simulation.name}`, '.json');
        entries[path] = `${JSON.stringify(content, null, 2)}\n`;
        index.simulations.push({ procedure: name, name: simulation.name, path });
      }
    }
  }
  if (options.includeKnowledge) {
    const articles = workspace.knowledge.list().map(({ title, body, url, tags }) => ({ title, body, url, tags }));
    entries['knowledge/articles.json'] = `${JSON.stringify(articles, null, 1)}\n`;
    index.knowledge = 'knowledge/articles.json';
  }
  entries[INDEX_PATH] = `${JSON.stringify(index, null, 2)}\n`;

  const key = await workspaceSigningKey(workspace, secrets);
  const manifest: Manifest = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    appVersion: appVersion(),
    createdAt: (options.now ?? new Date()).toISOString(),
    publicKey: key.publicKeyPem,
    keyFingerprint: key.fingerprint,
    entries: Object.entries(entries)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, content]) => ({ path, sha256: sha256(content), bytes: Buffer.byteLength(content) })),
  };
  const manifestText = JSON.stringify(manifest, null, 2);
  return {
    bundle: { format: 'stepwise-bundle', manifest: manifestText, signature: signBytes(Buffer.from(manifestText, 'utf8'), key.privateKey), entries },
    index,
    teams,
    undefinedTeams,
  };
}

/**
 * The definitions of the teams the texts hand off or escalate to, as the teams screen keeps them:
 * name, description and note template, picked field by field so nothing else a team may one day
 * hold (members, addresses) ever travels.
 */
function teamDefinitions(workspace: Workspace, texts: string[]): { teams: BundledTeam[]; undefinedTeams: string[] } {
  const named = new Map<string, string>(); // lower-case name → the first spelling met
  for (const text of texts) for (const team of procedureFacts(text).teams) if (!named.has(team.toLowerCase())) named.set(team.toLowerCase(), team);
  const teams: BundledTeam[] = [];
  const undefinedTeams: string[] = [];
  for (const name of named.values()) {
    const team = workspace.teams.get(name); // names compare without case
    if (team) teams.push({ name: team.name, description: team.description, noteTemplate: team.noteTemplate });
    else undefinedTeams.push(name);
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { teams: teams.sort((a, b) => byName(a.name, b.name)), undefinedTeams: undefinedTeams.sort(byName) };
}

export function serializeBundle(bundle: BundleFile): string {
  return `${JSON.stringify(bundle, null, 1)}\n`;
}

export function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

function candidatesByName(workspace: Workspace, source: 'live' | 'draft'): Map<string, Candidate> {
  const map = new Map<string, Candidate>();
  for (const record of workspace.procedures.list()) {
    if (source === 'draft') map.set(record.name, { id: record.id, name: record.name, text: record.draftText, version: null });
    else if (record.live) {
      const text = workspace.procedures.version(record.name, record.live.version).text;
      map.set(record.live.name, { id: record.id, name: record.live.name, text, version: record.live.version });
    }
  }
  return map;
}
