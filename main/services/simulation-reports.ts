// What the simulations screen reads about runs already stored: a set of runs compared with the runs
// before them, and the steps and branches they covered (the API layer reaches main/simulations only
// through services).
import { compareWithPrevious, type Comparison } from '../simulations/comparison';
import { runsCoverage, type CoverageReport } from '../simulations/coverage';
import type { SuiteReport } from '../simulations/suite';
import type { Workspace } from '../store/workspace';

export type { Comparison, CoverageReport, SuiteReport };

export function compareRuns(workspace: Workspace, runIds: readonly number[]): Comparison {
  return compareWithPrevious(workspace, runIds);
}

export function coverRuns(workspace: Workspace, runIds: readonly number[]): CoverageReport {
  return runsCoverage(workspace, runIds);
}
