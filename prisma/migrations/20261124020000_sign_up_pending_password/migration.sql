-- AlterTable
ALTER TABLE "SignUpAttempt" ADD COLUMN     "firstName" TEXT,
ADD COLUMN     "lastName" TEXT,
ADD COLUMN     "passwordCost" INTEGER,
ADD COLUMN     "passwordHash" TEXT;

