// Moved to shared/procedure/name.ts (pure), where the store and the engine both reach it.
export * from '../../shared/procedure/name';
