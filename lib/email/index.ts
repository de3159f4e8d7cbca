import "server-only";
export {
  prepareEmail,
  enqueueEmail,
  enqueueNothing,
  drainOutbox,
  emailChannel,
  kickOutbox,
  RETRY_DELAYS_MS,
  MAX_SEND_ATTEMPTS,
  SEND_LEASE_MS,
  type PreparedEmail,
  type OutboxPayload,
  type DrainResult,
} from "./outbox";
export { getMailTransport, smtpTransport, type MailTransport, type OutgoingEmail } from "./transport";
export { renderEmail, type EmailTemplate, type EmailTemplateName, type RenderedEmail, type RequestedFrom } from "./templates";
export { devInboxEnabled, listDevInbox, type DevInboxMessage } from "./dev-inbox";
export { authorizeCron } from "./cron";
export { mailStatus, STUCK_AFTER_MS, type MailStatus } from "./status";
