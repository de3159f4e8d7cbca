// Edge-safe code only: imported by middleware.ts, so nothing here may reach
// Prisma, `node:` modules or server-only code (see lib/edge/import-graph.test.ts).
export * from "./cookies";
export * from "./claims";
export * from "./redirect";
export * from "./routes";
export * from "./verify";
export * from "./jwks";
export * from "./security-headers";
