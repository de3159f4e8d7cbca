-- Users imported from another provider keep their id there (issue 19): re-importing updates, never duplicates.
ALTER TABLE "User" ADD COLUMN "externalId" TEXT;

CREATE UNIQUE INDEX "User_externalId_key" ON "User"("externalId");
