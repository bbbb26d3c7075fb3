import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The console is served by the sync server under /; in development the
// API is proxied to a server on :8080 (`cargo xtask run`).
export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
  build: { outDir: "dist", sourcemap: false },
});
