// Prisma CLI config. The CLI uses its bundled WebAssembly schema engine with the
// pg driver adapter, so no Rust engine binary is ever downloaded (see TOOLCHAIN notes).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// `prisma generate` needs no database, but with DATABASE_URL unset the 6.19 CLI
// falls back to downloading a query engine (which fails offline). A placeholder
// keeps it on the JS engine; pg connects lazily, so nothing ever dials it.
process.env.DATABASE_URL ??= "postgresql://localhost:5432/unset";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    // A short idle timeout: pg keeps an idle connection for 10 s by default, and the
    // CLI (migrate deploy at every start) would sit silently until it closed.
    return new PrismaPg({ connectionString: process.env.DATABASE_URL, max: 1, idleTimeoutMillis: 50 });
  },
});
