import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const shim = fileURLToPath(new URL('./src/node-shim.ts', import.meta.url));

// The dashboard imports @switchyard/client and @switchyard/core by name. core's barrel also
// exports two server-only helpers (ids via node:crypto, the log sink via node:fs) that the
// browser never calls; their node imports resolve to a shim that throws if ever used, and core's
// modules are declared free of import-time effects so the unused helpers are dropped whole (the
// log sink allocates a SharedArrayBuffer at import, which a browser page without cross-origin
// isolation does not have).
export default defineConfig({
  plugins: [react()],
  resolve: { alias: { 'node:crypto': shim, 'node:fs': shim } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    rolldownOptions: { treeshake: { moduleSideEffects: (id: string) => !/[\\/]packages[\\/](core|client)[\\/]/.test(id) } },
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:7700' } },
});
