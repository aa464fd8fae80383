// Opens the workspace the app works on: the one given with --workspace, or the user's default one,
// which the first run creates from the example shop.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { stepwiseCommand } from '../../shared/shell-quote';
import { publishProcedure, SHIPPED_EXAMPLE } from '../procedures/publish';
import { loadExamples } from '../services/example-workspace';
import { ensurePrivateFolder } from '../store/private-files';
import { Workspace } from '../store/workspace';

export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

export interface OpenedWorkspace {
  workspace: Workspace;
  /** True when this launch created the default workspace from the examples. */
  created: boolean;
}

export function openAppWorkspace(options: { workspace?: string; defaultWorkspace: string }): OpenedWorkspace {
  if (options.workspace !== undefined) {
    if (!existsSync(options.workspace)) {
      throw new LaunchError(`There is no workspace at ${options.workspace}. Create one with: ${stepwiseCommand(['workspace', 'init', options.workspace, '--example'])}`);
    }
    return { workspace: Workspace.open(options.workspace), created: false };
  }
  const path = options.defaultWorkspace;
  if (existsSync(path)) return { workspace: Workspace.open(path), created: false };
  ensurePrivateFolder(dirname(path)); // 0700: the workspace holds transcripts and settings
  return { workspace: createExampleWorkspace(path), created: true };
}

/** A new workspace with the example shop, its Procedures published (those that pass the checks). */
export function createExampleWorkspace(path: string): Workspace {
  // Filled before it appears at `path`: a first launch killed halfway leaves no half-made workspace.
  return Workspace.create(path, (workspace) => {
    const report = loadExamples(workspace);
    for (const name of report.procedures) {
      try {
        publishProcedure(workspace, name, { note: 'Example', currentDraft: true }, SHIPPED_EXAMPLE);
      } catch {
        // Left as a draft: the list shows it as such, and the editor shows why.
      }
    }
  });
}
