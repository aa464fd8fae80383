// Moved to shared/simulations/definition.ts (pure), where the store and the engine both reach it.
export * from '../../shared/simulations/definition';
