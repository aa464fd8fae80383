// export, verify and import: signed bundles that carry Procedures from one workspace to another.
// verify and import show what the bundle's connectors ask to do on this machine; import grants only
// what the person approves, by a question or by --approve-… flags that name each capability.
import { readFileSync, writeFileSync } from 'node:fs';
import { shellQuote } from '../../../shared/shell-quote';
import { plural } from '../../../shared/plural';
import { resolve } from 'node:path';
import { terminalAsk } from '../terminal-ask';
import { exportBundle, serializeBundle } from '../../bundles/export';
import { bundleCapabilities, describeBundleCapabilities, type BundledConnectorCapabilities } from '../../bundles/capabilities';
import { BundleError } from '../../bundles/format';
import { approvalCommand } from '../../connectors/capabilities';
import { findConflicts, importBundle, resolutionSchema, type CapabilityApprover, type CapabilityRequest, type Conflict, type ConflictResolver } from '../../bundles/import';
import { DEFAULT_MAX_BUNDLE_BYTES, readBundleFile } from '../../bundles/read';
import { fingerprintOf } from '../../bundles/signing';
import { verifyBundle } from '../../bundles/verify';
import { writeFileAtomic } from '../../files/atomic-write';
import { parseCommandArgs, processIo, UsageError, type CliIo, type Command } from '../io';
import { withSession } from '../session';
import { requireWorkspacePath } from '../workspace-args';

/** A CLI io that can ask the person a question (tests pass one; a terminal gets readline). */
export interface AskingIo extends CliIo {
  ask?: (question: string) => Promise<string>;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export Procedures (live, or --draft) with what they call and use into a signed bundle',
  usage: 'export --workspace <file> --out <bundle> [--procedure <name>]… [--draft] [--knowledge] [--no-simulations]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      workspace: { type: 'string' },
      out: { type: 'string' },
      procedure: { type: 'string', multiple: true },
      draft: { type: 'boolean', default: false },
      knowledge: { type: 'boolean', default: false },
      'no-simulations': { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}": name Procedures with --procedure.`);
    if (!values.out) throw new UsageError('Say where to write the bundle with --out <file>.');
    return withSession(values.workspace, io, async ({ workspace, secrets }) => {
      const { bundle, index, teams, undefinedTeams } = await exportBundle(workspace, secrets, {
        procedures: values.procedure ?? [],
        source: values.draft ? 'draft' : 'live',
        includeKnowledge: values.knowledge,
        includeSimulations: !values['no-simulations'],
      });
      writeFileAtomic(resolve(io.cwd, values.out!), serializeBundle(bundle));
      const called = index.procedures.filter((procedure) => !procedure.requested).map((procedure) => procedure.name);
      io.out(
        [
          `Wrote ${values.out}: ${plural(index.procedures.length, 'Procedure')}${called.length > 0 ? ` (with ${called.join(', ')}, which they call)` : ''}, ` +
            `${plural(index.connectors.length, 'connector')}, ${plural(teams.length, 'team definition')}, ${plural(index.simulations.length, 'simulation')}${index.knowledge ? ', the knowledge hub' : ''}.`,
          ...(undefinedTeams.length > 0 ? [`Named but not defined in this workspace, so carried by name only: ${undefinedTeams.join(', ')}.`] : []),
          `Signed with ${JSON.parse(bundle.manifest).keyFingerprint as string}.`,
        ].join('\n'),
      );
      return 0;
    });
  },
};

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check a bundle\'s signature and contents (exit 0 valid, 1 not); --trust/--workspace check the signer',
  usage: 'verify <bundle> [--trust <public-key.pem>]… [--workspace <file>] [--max-size <MB>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { trust: { type: 'string', multiple: true }, workspace: { type: 'string' }, 'max-size': { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('Name exactly one bundle to verify.');
    const maxBytes = maxSize(values['max-size']);
    let trustedKeys: string[] | undefined = values.trust?.map((file) => readText(file, io));
    const check = () => {
      try {
        const verified = verifyBundle(readBundle(positionals[0]!, io, maxBytes), { maxBytes, ...(trustedKeys ? { trustedKeys } : {}) });
        const count = verified.manifest.entries.length;
        io.out(
          `${positionals[0]}: valid. ${count} entries, signed by ${verified.fingerprint} on ${verified.manifest.createdAt} (Stepwise ${verified.manifest.appVersion}).` +
            (verified.trusted ? ' The signer is trusted.' : ' The signer was not checked against trusted keys: pass --trust <public-key.pem> or --workspace <file>.'),
        );
        const asked = describeBundleCapabilities(bundleCapabilities(verified));
        io.out(
          asked.length === 0
            ? 'Its connectors ask for nothing to approve: no command, no secret, no internal host.'
            : `What its connectors ask to do on the importing machine (each stays off until the importer approves it):\n${asked.join('\n')}`,
        );
        return 0;
      } catch (error) {
        if (!(error instanceof BundleError)) throw error;
        io.err(`${positionals[0]}: NOT valid. ${error.message}`);
        return 1;
      }
    };
    if (!values.workspace) return check();
    return withSession(values.workspace, io, ({ workspace }) => {
      trustedKeys = [...(trustedKeys ?? []), ...workspace.keys.trusted().map((key) => key.publicKey)];
      return check();
    });
  },
};

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a verified bundle into a workspace; asks on a name conflict (or --on-conflict) and before granting a connector a command, a secret or internal hosts (or --approve-…)',
  usage:
    'import <bundle> --workspace <file> [--on-conflict rename|replace|skip] [--trust <public-key.pem>] [--max-size <MB>]\n' +
    '       [--approve-command <connector>]… [--approve-secret <connector>:<secret>]… [--approve-internal-hosts <connector>]…',
  async run(args, io: AskingIo) {
    const { values, positionals } = parseCommandArgs(args, {
      workspace: { type: 'string' },
      'on-conflict': { type: 'string' },
      trust: { type: 'string' },
      'max-size': { type: 'string' },
      'approve-command': { type: 'string', multiple: true },
      'approve-secret': { type: 'string', multiple: true },
      'approve-internal-hosts': { type: 'string', multiple: true },
    });
    if (positionals.length !== 1) throw new UsageError('Name exactly one bundle to import.');
    const onConflict = values['on-conflict'] === undefined ? undefined : resolutionSchema.safeParse(values['on-conflict']);
    if (onConflict && !onConflict.success) throw new UsageError(`--on-conflict takes rename, replace or skip, not "${values['on-conflict']}".`);
    const maxBytes = maxSize(values['max-size']);
    const extraKey = values.trust ? readText(values.trust, io) : null;
    return withSession(values.workspace, io, async ({ workspace, sandbox }) => {
      let verified;
      let conflicts: Conflict[];
      try {
        // The --trust key counts for this check only; it is recorded with the import, if the import happens.
        const trustedKeys = [...workspace.keys.trusted().map((key) => key.publicKey), ...(extraKey ? [extraKey] : [])];
        verified = verifyBundle(readBundle(positionals[0]!, io, maxBytes), { trustedKeys, maxBytes });
        conflicts = findConflicts(workspace, verified);
      } catch (error) {
        if (!(error instanceof BundleError)) throw error;
        const hint = error.code === 'untrusted' ? ' To accept this signer, pass --trust <their public key file> (from "stepwise keys public" in their workspace).' : '';
        io.err(`${positionals[0]} was not imported: ${error.message}${hint}`);
        return 1;
      }
      const flagged = approvalFlags(bundleCapabilities(verified), {
        command: values['approve-command'] ?? [],
        secret: values['approve-secret'] ?? [],
        internalHosts: values['approve-internal-hosts'] ?? [],
      });
      const ask = io.ask ?? (io === processIo && process.stdin.isTTY ? terminalAsk : undefined);
      let resolver: ConflictResolver;
      if (onConflict?.success) resolver = () => onConflict.data;
      else if (conflicts.length === 0) resolver = () => 'skip';
      else {
        if (!ask) {
          io.err(
            `${positionals[0]} was not imported: ${plural(conflicts.length, 'name conflict')} and no terminal to ask:\n` +
              conflicts.map((conflict) => `  ${conflict.kind} "${conflict.name}"`).join('\n') +
              '\nChoose what to do with --on-conflict rename|replace|skip.',
          );
          return 2;
        }
        resolver = (conflict) => askResolution(ask, conflict);
      }
      // Flags approve by name; a terminal is asked about connectors this import brings in; nothing else is approved.
      const approve: CapabilityApprover = (request) => {
        if (flagged.has(requestKey(request.connector, request.capability.kind, request.capability.name))) return true;
        return ask && request.incoming ? askApproval(ask, request) : false;
      };
      const report = await importBundle(workspace, verified, resolver, {
        label: positionals[0]!,
        approve,
        python: sandbox,
        ...(extraKey ? { trust: { publicKey: extraKey, label: values.trust! } } : {}),
      });
      for (const item of report.items) io.out(`${item.kind} "${item.name}": ${item.outcome}${item.as ? ` as "${item.as}"` : ''}`);
      if (extraKey) io.out(`Bundles signed by ${fingerprintOf(extraKey)} are now trusted in this workspace.`);
      for (const request of report.approved) io.out(`approved: connector "${request.as}" ${request.capability.description}`);
      if (report.pending.length > 0) {
        io.out('Not approved, so these connectors will not run live until you approve them:');
        for (const request of report.pending) io.out(`  connector "${request.as}" ${request.capability.description}`);
        for (const connector of new Set(report.pending.map((request) => request.as))) {
          const capabilities = report.pending.filter((request) => request.as === connector).map((request) => request.capability);
          io.out(`To approve "${connector}": ${approvalCommand(connector, capabilities)} --workspace ${shellQuote(values.workspace!)}`);
        }
      }
      return 0;
    });
  },
};

export const keysCommand: Command = {
  name: 'keys',
  summary: 'Print this workspace\'s bundle-signing public key, or trust another workspace\'s key',
  usage: 'keys public|trust [<public-key.pem>] --workspace <file> [--out <file>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { workspace: { type: 'string' }, out: { type: 'string' } });
    const [action, file] = positionals;
    // The workspace is named before the action is checked, as every workspace command does.
    requireWorkspacePath(values.workspace, io);
    if (action === 'public') {
      return withSession(values.workspace, io, async ({ workspace, secrets }) => {
        const { workspaceSigningKey } = await import('../../bundles/signing');
        const key = await workspaceSigningKey(workspace, secrets);
        if (values.out) {
          writeFileSync(resolve(io.cwd, values.out), key.publicKeyPem);
          io.out(`Wrote the public key ${key.fingerprint} to ${values.out}.`);
        } else io.out(key.publicKeyPem.trimEnd());
        return 0;
      });
    }
    if (action === 'trust') {
      if (!file) throw new UsageError('Name the public key file to trust.');
      const pem = readText(file, io);
      return withSession(values.workspace, io, ({ workspace }) => {
        const fingerprint = fingerprintOf(pem);
        workspace.keys.trust({ publicKey: pem, fingerprint, label: file });
        io.out(`Bundles signed by ${fingerprint} are now trusted in this workspace.`);
        return 0;
      });
    }
    throw new UsageError(action ? `Unknown keys action "${action}".` : 'Say what to do: keys public or keys trust <file>.');
  },
};

/** The --approve-… flags as a set of (connector, kind, name) keys, each checked against what the bundle asks for. */
function approvalFlags(asked: readonly BundledConnectorCapabilities[], flags: { command: string[]; secret: string[]; internalHosts: string[] }): Set<string> {
  const keys = new Set<string>();
  const find = (connector: string, kind: 'command' | 'secret' | 'internal-hosts', name: string, flag: string) => {
    const entry = asked.find((candidate) => candidate.connector === connector);
    if (!entry) throw new UsageError(`${flag} names connector "${connector}", which is not in the bundle${asked.length > 0 ? ` (it has ${asked.map((candidate) => candidate.connector).join(', ')})` : ''}.`);
    if (!entry.capabilities.some((capability) => capability.kind === kind && capability.name === name)) {
      const what = kind === 'command' ? 'runs no command' : kind === 'secret' ? `reads no secret "${name}"` : 'does not reach internal hosts';
      throw new UsageError(`${flag}: connector "${connector}" in the bundle ${what}, so there is nothing to approve there.`);
    }
    keys.add(requestKey(connector, kind, name));
  };
  for (const connector of flags.command) find(connector, 'command', '', `--approve-command ${connector}`);
  for (const connector of flags.internalHosts) find(connector, 'internal-hosts', '', `--approve-internal-hosts ${connector}`);
  for (const value of flags.secret) {
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1) throw new UsageError(`--approve-secret takes <connector>:<secret>, not "${value}".`);
    find(value.slice(0, colon), 'secret', value.slice(colon + 1), `--approve-secret ${value}`);
  }
  return keys;
}

function requestKey(connector: string, kind: string, name: string): string {
  return `${connector}\u0000${kind}\u0000${name}`;
}

async function askApproval(ask: (question: string) => Promise<string>, request: CapabilityRequest): Promise<boolean> {
  for (;;) {
    const answer = (await ask(`Connector "${request.as}" from the bundle ${request.capability.description}. Allow it? [y/N] `)).trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') return true;
    if (answer === '' || answer === 'n' || answer === 'no') return false;
  }
}

function maxSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_BUNDLE_BYTES;
  const megabytes = Number(value);
  if (!Number.isFinite(megabytes) || megabytes <= 0) throw new UsageError(`--max-size takes a size in MB, such as 200, not "${value}".`);
  return Math.floor(megabytes * 1024 * 1024);
}

/** The bundle's text; a file that cannot be opened is a usage error, one over the cap a BundleError. */
function readBundle(file: string, io: CliIo, maxBytes: number): string {
  try {
    return readBundleFile(resolve(io.cwd, file), maxBytes);
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new UsageError(`Cannot read ${file}.`);
  }
}

function readText(file: string, io: CliIo): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch {
    throw new UsageError(`Cannot read ${file}.`);
  }
}

async function askResolution(ask: (question: string) => Promise<string>, conflict: Conflict): Promise<'rename' | 'replace' | 'skip'> {
  for (;;) {
    const answer = (await ask(`The workspace already has a ${conflict.kind} "${conflict.name}". [r]ename the incoming one to "${conflict.renameTo}", re[p]lace the existing one, or [s]kip it? `))
      .trim()
      .toLowerCase();
    if (answer === 'r' || answer === 'rename') return 'rename';
    if (answer === 'p' || answer === 'replace') return 'replace';
    if (answer === 's' || answer === 'skip') return 'skip';
  }
}
