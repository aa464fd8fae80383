// Moved to shared/json.ts (pure), where the store and the engine both reach it.
export * from '../../shared/json';
