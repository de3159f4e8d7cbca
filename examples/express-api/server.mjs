// Entry point: PORTAL_URL=https://auth.example.com node server.mjs
import { createApp } from "./app.mjs";

const issuer = process.env.PORTAL_URL;
if (!issuer) {
  console.error("Set PORTAL_URL to the portal's public origin (its AUTH_URL), e.g. PORTAL_URL=https://auth.example.com");
  process.exit(1);
}
const app = createApp({
  issuer,
  jwksUri: process.env.PORTAL_JWKS_URL || undefined,
  authorizedParties: process.env.AUTHORIZED_PARTIES ? process.env.AUTHORIZED_PARTIES.split(",").map((origin) => origin.trim()) : undefined,
});
const port = Number(process.env.PORT ?? 4000);
app.listen(port, () => console.log(`API on http://localhost:${port} (tokens from ${new URL(issuer).origin})`));
