// Monaco's own files, by path inside its package (vite.renderer.config.ts maps the prefix).
declare module 'monaco-esm/*';
