import { defineConfig } from 'vite';

// Built into viewer/dist and embedded into the `tepat` binary (api/src/viewer.rs), served at `/`.
// Relative asset paths, no CDN: everything the page needs is in dist/.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // MapLibre is one large module; splitting it buys nothing for a local single-page app.
    chunkSizeWarningLimit: 2000,
    assetsInlineLimit: 0,
  },
  // `npm run dev` against a running `tepat serve` (make run; TEPAT_API to point elsewhere).
  server: { proxy: { '/api': process.env.TEPAT_API ?? 'http://127.0.0.1:8080' } },
});
