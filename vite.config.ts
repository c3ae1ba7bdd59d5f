import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Browser entries: index.html -> src/ui/main.tsx (the dashboard) and yjs-client.html ->
// src/yjsClient/main.ts (a stock y-webrtc client, for interop tests and benches). Unit tests use
// vitest.config.ts.
const page = (file: string) => fileURLToPath(new URL(file, import.meta.url));
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      input: { main: page('index.html'), yjsClient: page('yjs-client.html') },
    },
  },
  server: {
    port: 5173,
    // `npm run dev` serves the app alone; signaling goes to a server started with `npm run serve`.
    proxy: { '/signal': { target: 'ws://localhost:4444', ws: true } },
  },
});
