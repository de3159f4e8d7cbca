-- Social and OpenID Connect sign-in (issue 11): a sign-up through a provider
-- whose email is not vouched for waits for our email verification.
ALTER TABLE "SignUpAttempt" ADD COLUMN "externalProfile" JSONB,
ADD COLUMN "externalProvider" TEXT,
ADD COLUMN "externalProviderUserId" TEXT;
