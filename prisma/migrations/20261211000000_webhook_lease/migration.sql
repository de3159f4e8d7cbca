-- The queue claim (lib/queue claimDueRows) reads the due rows of one channel and one
-- status in nextAttemptAt order straight off this index and stops after a batch. The
-- index on (status, nextAttemptAt) made it fetch and sort every due row of every channel
-- on each claim (a webhook fan-out claims 100 rows at a time out of thousands).
-- (No semicolons in these comments: the migration runner splits the script on them.)

-- DropIndex
DROP INDEX "OutboxMessage_status_nextAttemptAt_idx";

-- CreateIndex
CREATE INDEX "OutboxMessage_status_channel_nextAttemptAt_idx" ON "OutboxMessage"("status", "channel", "nextAttemptAt");
