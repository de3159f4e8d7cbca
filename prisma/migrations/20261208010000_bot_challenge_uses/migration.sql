-- CreateTable
CREATE TABLE "BotChallengeUse" (
    "id" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BotChallengeUse_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BotChallengeUse_expiresAt_idx" ON "BotChallengeUse"("expiresAt");
