// Reading a conversation's trace: pure, for the engine and the renderer alike.
export { procedurePlaces, type ProcedureEvent, type ProcedurePlace } from './procedure-walk';
