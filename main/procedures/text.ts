// Moved to shared/procedure/text.ts (pure), where the store and the engine both reach it.
export * from '../../shared/procedure/text';
