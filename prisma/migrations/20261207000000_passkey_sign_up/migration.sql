-- S13: sign-up with a passkey instead of a password. The attempt waits in
-- needs_passkey between the verified email and the verified passkey.
ALTER TYPE "AttemptStatus" ADD VALUE 'needs_passkey';

ALTER TABLE "SignUpAttempt" ADD COLUMN "passkey" BOOLEAN NOT NULL DEFAULT false;
