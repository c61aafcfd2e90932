// Vite builds two pages into dist/app, which the Go package web embeds:
// the app (index.html) and the GraphQL console (console/index.html).
// Every asset is bundled and served from /assets/, so the built pages
// load nothing from anywhere but the Aftercare binary.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const page = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The Aftercare binary that `vite` (the dev server) forwards API calls to.
const backend = 'http://localhost:8080';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: {
        app: page('./index.html'),
        console: page('./console/index.html'),
      },
      output: {
        // React gets a chunk of its own, which both pages share.
        manualChunks: (id) => (/[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id) ? 'react' : undefined),
      },
      onwarn(warning, warn) {
        // GraphiQL's modules open with "use no memo" (a React Compiler hint), which bundling drops harmlessly.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.id?.includes('/node_modules/')) {
          return;
        }
        warn(warning);
      },
    },
  },
  // The GraphQL worker splits into chunks, which only module workers can load.
  worker: {
    format: 'es',
  },
  server: {
    proxy: {
      '/query': { target: backend, ws: true },
      '/auth': { target: backend },
      '/survey': { target: backend },
    },
  },
});
