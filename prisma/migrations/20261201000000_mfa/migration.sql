-- Multi-factor authentication (issue 10).

-- SMS codes for the second factor of a sign-in attempt.
ALTER TYPE "VerificationPurpose" ADD VALUE 'second_factor';

-- Any confirmed second factor: sign-in then asks for it.
ALTER TABLE "User" ADD COLUMN "mfaEnabled" BOOLEAN NOT NULL DEFAULT false;

-- Step-up: when the user last proved who they are in this session.
ALTER TABLE "Session" ADD COLUMN "verifiedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- The second factor of an attempt and its wrong codes (void after 5).
ALTER TABLE "SignInAttempt" ADD COLUMN "secondFactor" TEXT,
ADD COLUMN "secondFactorFailures" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "MfaFactor" ADD COLUMN "name" TEXT;
