// Saves the simulations of a τ²-bench task file under one Procedure of a workspace.
import type { Workspace } from '../store/workspace';
import { parseTau2Tasks, tau2Simulation } from './tau2';

export interface Tau2ImportReport {
  created: string[];
  updated: string[];
}

export function importTau2Tasks(workspace: Workspace, procedure: string, json: string, file?: string): Tau2ImportReport {
  workspace.procedures.require(procedure);
  const tasks = parseTau2Tasks(json, file);
  const report: Tau2ImportReport = { created: [], updated: [] };
  workspace.transaction(() => {
    for (const task of tasks) {
      const { name, definition } = tau2Simulation(task);
      const existed = workspace.simulations.get(procedure, name) !== null;
      workspace.simulations.save(procedure, name, definition);
      (existed ? report.updated : report.created).push(name);
    }
  });
  return report;
}
