import "server-only";
export { normalizePhoneNumber, maskPhoneNumber, type CountryCode } from "./phone";
export {
  prepareSms,
  renderSms,
  type PreparedSms,
  type SmsPayload,
  type SmsTemplate,
  type SmsTemplateName,
  type SmsCodeTemplateName,
} from "./templates";
export { enqueueSms, enqueueNoSms, deliveredSmsPayload, smsChannel, SMS_RETRY_DELAYS_MS } from "./outbox";
export { getSmsTransport, devSmsTransport, type SmsTransport, type OutgoingSms } from "./transport";
export { twilioTransport, TwilioError, TWILIO_API_BASE, TWILIO_TIMEOUT_MS } from "./twilio";
export { getSmsConfig, loadSmsConfig, type SmsConfig, type TwilioConfig } from "./config";
export { smsStatus, SMS_STUCK_AFTER_MS, type SmsStatus } from "./status";
export { listDevSms, type DevSms } from "./dev-outbox";
