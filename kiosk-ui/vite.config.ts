import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The kiosk page bundle (architecture.md: kiosk-ui). Served by the gateway at `/kiosk/{K}`
 * with assets under `/kiosk/assets/`; fonts are bundled (no network on the shop floor).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/kiosk/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Fonts as files, not inlined: the HTML stays small and the browser caches them.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
