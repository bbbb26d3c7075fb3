import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The console is served by the sync server under /; in development the
// API is proxied to a server on :8080 (`cargo xtask run`). Vitest runs the
// component and Api tests (src/**/*.test.ts[x]) in jsdom.
export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
  build: { outDir: "dist", sourcemap: false },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"] },
});
