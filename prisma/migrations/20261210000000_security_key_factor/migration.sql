-- AlterTable
ALTER TABLE "MfaFactor" ADD COLUMN     "aaguid" TEXT,
ADD COLUMN     "counter" BIGINT,
ADD COLUMN     "credentialId" TEXT,
ADD COLUMN     "lastUsedAt" TIMESTAMP(3),
ADD COLUMN     "publicKey" BYTEA,
ADD COLUMN     "transports" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE UNIQUE INDEX "MfaFactor_credentialId_key" ON "MfaFactor"("credentialId");

