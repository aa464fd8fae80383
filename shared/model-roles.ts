// The roles a model plays in Stepwise; each can have its own model in the settings.
export const MODEL_ROLES = ['agent', 'customer', 'judge', 'author'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];
