// Moved to shared/connectors/definition.ts (pure), where the store and the engine both reach it.
export * from '../../shared/connectors/definition';
