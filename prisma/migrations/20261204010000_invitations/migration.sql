-- Invitations (S8, sign-up mode "invitation"): the token is stored only as a SHA-256 hash.
CREATE TABLE "Invitation" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "emailNormalized" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "invitedById" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "acceptedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Invitation_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Invitation_tokenHash_key" ON "Invitation"("tokenHash");
CREATE INDEX "Invitation_emailNormalized_idx" ON "Invitation"("emailNormalized");
CREATE INDEX "Invitation_createdAt_idx" ON "Invitation"("createdAt");

-- The invitation a sign-up attempt presented, accepted when its account is made.
ALTER TABLE "SignUpAttempt" ADD COLUMN "invitationId" TEXT;
