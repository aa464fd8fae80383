// The API contract between the engine and the UI. See contract.ts.
export * from './contract';
export * from './connectors';
export * from './preview';
export * from './result';
export * from './schemas';
export * from './simulations';
export * from './settings';
export * from './teams';
export * from './bundles';
export * from './knowledge';
export * from './authoring';
export { createApiClient, type ApiClient, type ApiTransport } from './client';
export { BRIDGE_GLOBAL, type StepwiseBridge } from './bridge';
export * from './shell';
