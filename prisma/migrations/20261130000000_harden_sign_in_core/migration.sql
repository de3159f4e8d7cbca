-- Harden the sign-in core (issue 8).

-- An address is unique among VERIFIED rows only: an unverified row (an address
-- someone typed but never proved) must not block its real owner (S10).
DROP INDEX "EmailAddress_emailNormalized_key";
CREATE INDEX "EmailAddress_emailNormalized_idx" ON "EmailAddress"("emailNormalized");
CREATE UNIQUE INDEX "EmailAddress_emailNormalized_verified_key" ON "EmailAddress"("emailNormalized") WHERE "verified";

-- An admin unlock bumps it: the per-account sign-in budget is keyed by it.
ALTER TABLE "User" ADD COLUMN "lockoutEpoch" INTEGER NOT NULL DEFAULT 0;

-- Where an attempt was started, for the other device's confirm page and the email.
ALTER TABLE "SignInAttempt" ADD COLUMN "ip" TEXT, ADD COLUMN "userAgent" TEXT;
ALTER TABLE "SignUpAttempt" ADD COLUMN "ip" TEXT, ADD COLUMN "userAgent" TEXT;

-- Settings writes name the version they read (no lost update).
ALTER TABLE "InstanceSettings" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 0;
