// The model roles and providers the settings screen offers. Kept here, free of the SDK, so the UI
// and the engine share one list (main/model/settings.ts has the same roles; a test checks it).
export const MODEL_ROLES = ['agent', 'customer', 'judge', 'author'] as const;
export const MODEL_PROVIDERS = ['anthropic'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];
