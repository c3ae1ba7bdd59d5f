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
    // `npm run dev` serves the app alone; signaling goes to a server started with `npm run serve`.
    proxy: { '/signal': { target: 'ws://localhost:4444', ws: true } },
  },
});
