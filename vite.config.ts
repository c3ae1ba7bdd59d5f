import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Browser entry: index.html -> src/ui/main.tsx. Unit tests use vitest.config.ts.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    port: 5173,
  },
});
