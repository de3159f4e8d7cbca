-- AlterTable
ALTER TABLE "ActorToken" ADD COLUMN     "revokedAt" TIMESTAMP(3);

