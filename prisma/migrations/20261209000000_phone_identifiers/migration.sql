-- Phone numbers as an identifier (issue 19): a number is unique among VERIFIED rows only,
-- like an email address, so an unverified row never blocks the number's owner (S10).
DROP INDEX "PhoneNumber_phone_key";
CREATE INDEX "PhoneNumber_phone_idx" ON "PhoneNumber"("phone");
CREATE UNIQUE INDEX "PhoneNumber_phone_verified_key" ON "PhoneNumber"("phone") WHERE "verified";

-- A sign-up by phone number keeps the number its code went to.
ALTER TABLE "SignUpAttempt" ADD COLUMN "phoneNumber" TEXT;
