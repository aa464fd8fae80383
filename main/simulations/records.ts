// Moved to shared/simulations/records.ts (pure), where the store and the engine both reach it.
export * from '../../shared/simulations/records';
