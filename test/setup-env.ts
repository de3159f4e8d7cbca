import { inject } from "vitest";

// Per-worker environment for unit/integration tests. 
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-0123456789";
process.env.AUTH_BCRYPT_COST ??= "4";
process.env.AUTH_URL ??= "http://localhost:3000";
// One admin address per test file that needs one (the test DB is shared by parallel files).
process.env.ADMIN_EMAILS ??= "signup-admin@example.com,middleware-admin@example.com";
(process.env as Record<string, string>).NODE_ENV = "test";
process.env.DATABASE_URL = inject("databaseUrl");
