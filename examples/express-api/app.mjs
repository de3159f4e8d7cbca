// An API of yours that trusts the portal's session tokens (see README.md).
import express from "express";
import { SESSION_COOKIE, createSessionVerifier, requireSession } from "./session-auth.mjs";

/**
 * @param {object} options
 * @param {string} options.issuer  the portal's origin (its AUTH_URL)
 * @param {string} [options.jwksUri]  default <issuer>/.well-known/jwks.json
 * @param {string[]} [options.authorizedParties]  accept only tokens whose `azp` is one of these origins
 * @param {string} [options.cookieName]  default __session
 */
export function createApp({ issuer, jwksUri, authorizedParties, cookieName = SESSION_COOKIE }) {
  const verify = createSessionVerifier({ issuer, jwksUri, authorizedParties });
  const signedIn = requireSession(verify, { cookieName });
  const app = express();
  app.disable("x-powered-by");

  app.get("/public", (_request, response) => {
    response.json({ message: "Anyone can read this." });
  });

  app.get("/me", signedIn, (_request, response) => {
    const session = response.locals.session;
    response.json({
      userId: session.sub,
      sessionId: session.sid,
      role: session.role,
      // Set while an admin impersonates the user: the admin's user id.
      actorId: session.act?.sub ?? null,
    });
  });

  // Roles come from the token (`role` claim), so this check needs no call to the portal either.
  // A role change reaches this API with the user's next token (within 60 s).
  app.get("/admin-only", signedIn, (_request, response) => {
    if (response.locals.session.role !== "admin") {
      response.status(403).json({ error: "forbidden", error_description: "Admins only." });
      return;
    }
    response.json({ message: "Hello, admin." });
  });

  return app;
}
