// Moved to shared/connectors/field-paths.ts (pure), where the store and the engine both reach it.
export * from '../../shared/connectors/field-paths';
