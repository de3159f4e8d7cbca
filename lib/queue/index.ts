import "server-only";
export {
  drainQueue,
  waitForIdleQueue,
  simpleChannel,
  maxAttempts,
  GiveUpError,
  QUEUE_LEASE_MS,
  DEFAULT_BATCH_SIZE,
  type QueueRow,
  type QueueChannel,
  type ChannelBatch,
  type DrainResult,
  type DrainOptions,
} from "./queue";
export { kickDrain } from "./kick";
export { startQueueLoop } from "./loop";
