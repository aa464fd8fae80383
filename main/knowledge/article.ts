// Moved to shared/knowledge/article.ts (pure), where the store and the engine both reach it.
export * from '../../shared/knowledge/article';
