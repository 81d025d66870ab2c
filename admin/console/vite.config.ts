import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/** The console is served by Cairn under /admin; hashed assets under /admin/assets are cached for a year. */
export default defineConfig({
  root,
  base: "/admin/",
  plugins: [react()],
  logLevel: "warn",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite admin/console` during development: the API comes from a running `cairn start`.
    proxy: {
      "/admin/api": process.env.CAIRN_URL ?? "http://127.0.0.1:3000",
      "/api": process.env.CAIRN_URL ?? "http://127.0.0.1:3000",
    },
  },
});
