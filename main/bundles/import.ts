// Importing a verified bundle into a workspace. Name conflicts are put to a resolver (the CLI asks
// the person, or follows --on-conflict): rename the incoming item, replace the existing one, or
// skip it. Renames are carried into the imported Procedures' [[…]], @connector and @handoff
// references. Team definitions come with them (a bundle from before they did carries names only).
// An imported connector that runs a command, reads a secret or reaches internal hosts is inert
// until the importer approves that capability: each one no grant covers yet is put to an approver
// (the CLI's --approve-… flags or a question; a dialog's checkboxes), and only a yes is granted.
// Everything, the signer's trust included, is written in one transaction: an import lands whole
// or not at all.
import { z } from 'zod';
import { connectorCapabilities, covers, isReservedSecret, reservedSecretMessage, type Capability } from '../connectors/capabilities';
import { connectorDefinitionSchema, secretNames, type ConnectorDefinition } from '../connectors/definition';
import { pythonProblems, type PythonChecker } from '../procedures/python-gate';
import { renameTeamInText } from '../procedures/team-references';
import { renameInText } from '../procedures/text';
import { StoreError } from '../store/errors';
import type { Workspace } from '../store/workspace';
import { bundleCapabilities, type BundledConnectorCapabilities } from './capabilities';
import { BundleError, bundledKnowledgeSchema, bundledSimulationSchema, parseBundleEntry, type BundledTeam } from './format';
import { fingerprintOf } from './signing';
import type { VerifiedBundle } from './verify';

export type ConflictKind = 'procedure' | 'connector' | 'team' | 'article' | 'simulation';
export const resolutionSchema = z.enum(['rename', 'replace', 'skip']);
export type Resolution = z.infer<typeof resolutionSchema>;

export interface Conflict {
  kind: ConflictKind;
  name: string;
  /** What the incoming item would be called if renamed. */
  renameTo: string;
}

export type ConflictResolver = (conflict: Conflict) => Resolution | Promise<Resolution>;

export interface ImportedItem {
  kind: ConflictKind;
  name: string;
  outcome: 'created' | 'replaced' | 'renamed' | 'skipped' | 'unchanged';
  /** The name it has in the workspace, when renamed. */
  as?: string;
}

/** A capability an imported connector needs and no grant covers yet. */
export interface CapabilityRequest {
  /** The connector's name in the bundle (what --approve-… flags name). */
  connector: string;
  /** Its name in the workspace after the import (differs when renamed). */
  as: string;
  /** False when the connector is already there, unchanged, and was simply never approved. */
  incoming: boolean;
  capability: Capability;
}

/** Says yes to a capability request, or no (the connector then stays inert for it). */
export type CapabilityApprover = (request: CapabilityRequest) => boolean | Promise<boolean>;

export interface ImportOptions {
  /** Where the bundle came from, for the published versions' note and the grants' record. */
  label?: string;
  /** Asked for each capability no grant covers yet. Absent: nothing is approved. */
  approve?: CapabilityApprover;
  /** Checks the Python of the Procedures the import puts live; without it, one with Python is refused (not checked is not passed). */
  python?: PythonChecker;
  /** A signer's public key (PEM) to trust: recorded only when the import succeeds, in its transaction. */
  trust?: { publicKey: string; label: string };
}

export interface ImportReport {
  items: ImportedItem[];
  fingerprint: string;
  /** Capabilities granted by this import. */
  approved: CapabilityRequest[];
  /** Capabilities left unapproved: those connectors refuse to run live until someone approves them. */
  pending: CapabilityRequest[];
}

/** The conflicts an import would meet, without changing anything (for the CLI's non-TTY check). */
export function findConflicts(workspace: Workspace, verified: VerifiedBundle): Conflict[] {
  return plan(workspace, verified).conflicts;
}

/** What an import dialog shows before anything changes: the name conflicts, and what each connector asks to do. */
export function describeImport(workspace: Workspace, verified: VerifiedBundle): { conflicts: Conflict[]; capabilities: BundledConnectorCapabilities[] } {
  return { conflicts: plan(workspace, verified).conflicts, capabilities: bundleCapabilities(verified) };
}

export async function importBundle(workspace: Workspace, verified: VerifiedBundle, resolve: ConflictResolver, options: ImportOptions = {}): Promise<ImportReport> {
  const { procedures, connectors, teams, simulations, articles, conflicts } = plan(workspace, verified);
  const decisions = new Map<string, Resolution>();
  for (const conflict of conflicts) {
    const decision = resolutionSchema.safeParse(await resolve(conflict));
    if (!decision.success) throw new BundleError(`"${String(decision.error.issues[0]?.message)}" is not an answer: use rename, replace or skip.`, 'conflict');
    decisions.set(key(conflict.kind, conflict.name), decision.data);
  }
  const decide = (kind: ConflictKind, name: string) => decisions.get(key(kind, name));
  const renamedProcedures = new Map<string, string>();
  const renamedConnectors = new Map<string, string>();
  const renamedTeams = new Map<string, string>();
  for (const conflict of conflicts) {
    if (decide(conflict.kind, conflict.name) !== 'rename') continue;
    if (conflict.kind === 'procedure') renamedProcedures.set(conflict.name, conflict.renameTo);
    if (conflict.kind === 'connector') renamedConnectors.set(conflict.name, conflict.renameTo);
    if (conflict.kind === 'team') renamedTeams.set(conflict.name, conflict.renameTo);
  }
  const items: ImportedItem[] = [];
  const note = `Imported from a bundle signed by ${verified.fingerprint}${options.label ? ` (${options.label})` : ''}`;

  // Connector outcomes are settled first so the approver is asked only about connectors that land.
  const connectorPlans = connectors.map((connector) => {
    const outcome: ImportedItem['outcome'] = connector.unchanged ? 'unchanged' : outcomeOf(connector.existing, decide('connector', connector.definition.name));
    const finalName = renamedConnectors.get(connector.definition.name) ?? connector.definition.name;
    return { ...connector, outcome, finalName };
  });
  const approved: CapabilityRequest[] = [];
  const pending: CapabilityRequest[] = [];
  for (const connector of connectorPlans) {
    if (connector.outcome === 'skipped') continue;
    // A renamed connector is new under its new name; any other keeps the grants its name has here.
    const grants = connector.outcome === 'renamed' || connector.outcome === 'created' ? [] : workspace.connectorGrants.list(connector.finalName);
    for (const capability of connectorCapabilities(connector.definition)) {
      if (covers(grants, capability)) continue;
      const request: CapabilityRequest = { connector: connector.definition.name, as: connector.finalName, incoming: connector.outcome !== 'unchanged', capability };
      ((await options.approve?.(request)) === true ? approved : pending).push(request);
    }
  }
  const grantedBy = `import of ${options.label ?? 'a bundle'} signed by ${verified.fingerprint}`;

  // Procedures go live with the same check as publishing: Python the sandbox refuses never does.
  const procedurePlans = procedures.map((procedure) => {
    const outcome: ImportedItem['outcome'] = procedure.unchanged ? 'unchanged' : outcomeOf(procedure.existing, decide('procedure', procedure.name));
    const finalName = renamedProcedures.get(procedure.name) ?? procedure.name;
    let text = renameInText(procedure.text, {
      ...(finalName !== procedure.name ? { self: finalName } : {}),
      procedures: renamedProcedures,
      connectors: renamedConnectors,
    });
    // "Keep both" for a team: the incoming Procedures hand off to the incoming definition, under its new name.
    for (const [from, to] of renamedTeams) text = renameTeamInText(text, from, to);
    return { ...procedure, outcome, finalName, text };
  });
  const goingLive = procedurePlans.filter((plan) => plan.source === 'live' && plan.outcome !== 'skipped' && plan.outcome !== 'unchanged');
  const problems = await pythonProblems(goingLive.map((plan) => ({ name: plan.finalName, text: plan.text })), options.python);
  if (problems.length > 0) throw new BundleError(`Nothing was imported: the sandbox refuses Python the bundle would put live.\n${problems.map((line) => `  ${line}`).join('\n')}`, 'invalid');

  workspace.transaction(() => {
    for (const connector of connectorPlans) {
      const { outcome, finalName } = connector;
      if (outcome === 'created' || outcome === 'replaced' || outcome === 'renamed') workspace.connectors.save({ ...connector.definition, name: finalName });
      items.push({ kind: 'connector', name: connector.definition.name, outcome, ...(outcome === 'renamed' ? { as: finalName } : {}) });
    }
    for (const { team, existing, unchanged } of teams) {
      const outcome: ImportedItem['outcome'] = unchanged ? 'unchanged' : outcomeOf(existing !== null, decide('team', team.name));
      const finalName = outcome === 'renamed' ? renamedTeams.get(team.name)! : outcome === 'replaced' ? existing!.name : team.name;
      items.push({ kind: 'team', name: team.name, outcome, ...(outcome === 'renamed' ? { as: finalName } : {}) });
      if (outcome === 'created' || outcome === 'replaced' || outcome === 'renamed') workspace.teams.save({ ...team, name: finalName });
    }
    for (const { as, capability } of approved) workspace.connectorGrants.grant({ connector: as, kind: capability.kind, name: capability.name, scope: capability.scope, grantedBy });
    for (const { name, outcome, finalName, text, source, version } of procedurePlans) {
      items.push({ kind: 'procedure', name, outcome, ...(outcome === 'renamed' ? { as: finalName } : {}) });
      if (outcome === 'skipped' || outcome === 'unchanged') continue;
      if (outcome === 'replaced') workspace.procedures.saveDraft(name, text);
      else workspace.procedures.create(text);
      if (source === 'live') publishQuietly(workspace, finalName, `${note}, version ${version ?? '?'}`);
    }
    for (const simulation of simulations) {
      const procedureName = renamedProcedures.get(simulation.procedure) ?? simulation.procedure;
      const procedureOutcome = items.find((item) => item.kind === 'procedure' && item.name === simulation.procedure)?.outcome;
      const label = `${simulation.procedure} / ${simulation.name}`;
      let outcome: ImportedItem['outcome'];
      if (simulation.unchanged) outcome = 'unchanged';
      else if (procedureOutcome === 'skipped') outcome = 'skipped';
      else outcome = outcomeOf(simulation.existing && procedureOutcome !== 'renamed', decide('simulation', label));
      const finalName = outcome === 'renamed' ? renameSimulation(workspace, procedureName, simulation.name) : simulation.name;
      items.push({ kind: 'simulation', name: label, outcome, ...(outcome === 'renamed' ? { as: finalName } : {}) });
      if (outcome === 'skipped' || outcome === 'unchanged') continue;
      const stored = workspace.simulations.save(procedureName, finalName, simulation.definition);
      if (simulation.lastRun) workspace.simulations.recordRun(stored.id, simulation.lastRun);
    }
    for (const article of articles) {
      const outcome = article.unchanged ? 'unchanged' : outcomeOf(article.existing !== null, decide('article', article.article.title));
      const finalTitle = outcome === 'renamed' ? freeTitle(workspace, article.article.title) : article.article.title;
      items.push({ kind: 'article', name: article.article.title, outcome, ...(outcome === 'renamed' ? { as: finalTitle } : {}) });
      if (outcome === 'replaced') workspace.knowledge.delete(article.existing!.id);
      if (outcome === 'created' || outcome === 'replaced' || outcome === 'renamed') workspace.knowledge.save({ ...article.article, title: finalTitle });
    }
    if (options.trust) workspace.keys.trust({ publicKey: options.trust.publicKey, fingerprint: fingerprintOf(options.trust.publicKey), label: options.trust.label });
  });
  return { items, fingerprint: verified.fingerprint, approved, pending };
}

function outcomeOf(exists: boolean, decision: Resolution | undefined): ImportedItem['outcome'] {
  if (!exists) return 'created';
  if (decision === 'replace') return 'replaced';
  if (decision === 'rename') return 'renamed';
  return 'skipped';
}

function publishQuietly(workspace: Workspace, name: string, note: string) {
  try {
    workspace.procedures.publish(name, { note });
  } catch (error) {
    if (!(error instanceof StoreError && error.code === 'unchanged')) throw error;
  }
}

function key(kind: ConflictKind, name: string) {
  return `${kind}\u0000${name}`;
}

function plan(workspace: Workspace, verified: VerifiedBundle) {
  const { bundle, index } = verified;
  const conflicts: Conflict[] = [];
  const procedures = index.procedures.map((entry) => {
    const text = bundle.entries[entry.path]!;
    const existing = workspace.procedures.get(entry.name);
    const unchanged = existing !== null && (entry.source === 'live' ? existing.live?.contentHash : existing.draftHash) === `sha256:${entry.contentHash}`;
    if (existing && !unchanged) conflicts.push({ kind: 'procedure', name: entry.name, renameTo: workspace.procedures.freeName(`${entry.name} (imported)`) });
    return { ...entry, text, existing: existing !== null, unchanged };
  });
  const connectors = index.connectors.map((entry) => {
    const definition: ConnectorDefinition = parseBundleEntry(connectorDefinitionSchema, bundle.entries[entry.path]!, entry.path);
    // No approval can give a connector Stepwise's own secrets: a bundle asking for one is refused whole.
    const reserved = secretNames(definition).find(isReservedSecret);
    if (reserved !== undefined) throw new BundleError(`${reservedSecretMessage(definition.name, reserved)} The bundle was not imported; nothing was changed.`, 'forbidden');
    const existing = workspace.connectors.get(definition.name);
    const unchanged = existing !== null && JSON.stringify(existing) === JSON.stringify(definition);
    if (existing && !unchanged) conflicts.push({ kind: 'connector', name: definition.name, renameTo: freeConnectorName(workspace, definition.name) });
    return { definition, existing: existing !== null, unchanged };
  });
  const teams = (verified.teams ?? []).map((team) => {
    const existing = workspace.teams.get(team.name); // names compare without case
    const unchanged = existing !== null && sameTeam(existing, team);
    if (existing && !unchanged) conflicts.push({ kind: 'team', name: team.name, renameTo: freeTeamName(workspace, team.name) });
    return { team, existing, unchanged };
  });
  const simulations = index.simulations.map((entry) => {
    const simulation = parseBundleEntry(bundledSimulationSchema, bundle.entries[entry.path]!, entry.path);
    const existingProcedure = workspace.procedures.get(simulation.procedure);
    const existing = existingProcedure ? workspace.simulations.get(simulation.procedure, simulation.name) : null;
    const unchanged = existing !== null && JSON.stringify(existing.definition) === JSON.stringify(simulation.definition);
    if (existing && !unchanged) {
      conflicts.push({ kind: 'simulation', name: `${simulation.procedure} / ${simulation.name}`, renameTo: `${simulation.name} (imported)` });
    }
    return { ...simulation, existing: existing !== null, unchanged };
  });
  const articles = index.knowledge
    ? parseBundleEntry(bundledKnowledgeSchema, bundle.entries[index.knowledge]!, index.knowledge).map((article) => {
        const existing = workspace.knowledge.findByTitle(article.title)[0] ?? null;
        const unchanged = existing !== null && existing.body === article.body && (existing.url ?? null) === (article.url ?? null);
        if (existing && !unchanged) conflicts.push({ kind: 'article', name: article.title, renameTo: freeTitle(workspace, article.title) });
        return { article, existing, unchanged };
      })
    : [];
  return { procedures, connectors, teams, simulations, articles, conflicts };
}

/** The same team as far as a handoff goes: what the teams screen edits, the name's case aside. */
export function sameTeam(mine: BundledTeam, theirs: BundledTeam): boolean {
  return mine.name.toLowerCase() === theirs.name.toLowerCase() && mine.description === theirs.description && mine.noteTemplate === theirs.noteTemplate;
}

function freeTeamName(workspace: Workspace, name: string): string {
  for (let index = 1; ; index++) {
    const candidate = index === 1 ? `${name} (imported)` : `${name} (imported ${index})`;
    if (!workspace.teams.get(candidate)) return candidate;
  }
}

function freeConnectorName(workspace: Workspace, name: string): string {
  for (let index = 1; ; index++) {
    const candidate = index === 1 ? `${name}_imported` : `${name}_imported${index}`;
    if (!workspace.connectors.get(candidate)) return candidate;
  }
}

function freeTitle(workspace: Workspace, title: string): string {
  for (let index = 1; ; index++) {
    const candidate = index === 1 ? `${title} (imported)` : `${title} (imported ${index})`;
    if (workspace.knowledge.findByTitle(candidate).length === 0) return candidate;
  }
}

function renameSimulation(workspace: Workspace, procedure: string, name: string): string {
  for (let index = 1; ; index++) {
    const candidate = index === 1 ? `${name} (imported)` : `${name} (imported ${index})`;
    if (!workspace.simulations.get(procedure, candidate)) return candidate;
  }
}
