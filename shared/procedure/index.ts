// The Procedure language: parse, validate, print, graph and graph edits. Pure TypeScript, so the
// renderer can re-parse on every keystroke and the engine runs the very same code.
export * from './ast';
export { parse } from './parse';
export { print } from './print';
export { documentShape, shapeDifferences, type DocumentShape } from './shape';
export { validate, type PythonIssue, type ValidationContext } from './validate';
export { conditionWords } from './condition-words';
export { toGraph, type GraphEdge, type GraphNode, type NodeKind, type ProcedureGraph } from './graph';
export { otherwiseAfterFalseTest } from './otherwise';
export { calledProcedures, namedActions, pythonSnippets, type PythonSnippet } from './walk';
export { slugify, TRIGGER_ID, IMPLICIT_END_ID } from './ids';
export { addBranch, deleteStep, insertStepAfter, moveStep, removeBranch, renameStep, type EditResult, type LineEdit } from './edits';
