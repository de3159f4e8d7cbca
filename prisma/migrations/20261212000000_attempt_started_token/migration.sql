-- The __client token hash an attempt was started with: a status poll that raced the sign-in
-- in another tab of the same browser (which replaced the token) still reads "complete".
ALTER TABLE "SignInAttempt" ADD COLUMN     "startedWithTokenHash" TEXT;

ALTER TABLE "SignUpAttempt" ADD COLUMN     "startedWithTokenHash" TEXT;
