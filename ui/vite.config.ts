// The control plane's web UI, built into build/ui and served by `cleartap serve` (src/server/ui-static.ts).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: '../build/ui', emptyOutDir: true },
});
