// Builds the renderer into dist/renderer: one bundle that runs in Electron (stepwise://app/) and in
// browser mode alike, with relative paths and no request to any other host.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./renderer/', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  // renderer/src/editor/monaco-slim.ts picks Monaco's features by file.
  resolve: { alias: [{ find: /^monaco-esm\//, replacement: fileURLToPath(new URL('./node_modules/monaco-editor/esm/vs/', import.meta.url)) }] },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 8_000,
    reportCompressedSize: false,
  },
  worker: { format: 'es' },
  logLevel: 'warn',
});
