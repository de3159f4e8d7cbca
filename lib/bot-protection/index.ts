import "server-only";
export {
  activeBotProvider,
  assertNotDisposable,
  DISPOSABLE_EMAIL_MESSAGE,
  honeypotTripped,
  newBotChallenge,
  publicBotCheck,
  recordClientFailure,
  refusesAsDisposable,
  requireHuman,
  requireHumanIfRisky,
  screenSignUp,
  signalsRisk,
  type BotAction,
  type BotProvider,
  type BotRefusalReason,
  type HumanProof,
  type PublicBotCheck,
} from "./guard";
export { BOT_CHALLENGE_DIFFICULTY, BOT_CHALLENGE_TTL_MS, checkAltchaSolution, issueAltchaChallenge } from "./altcha";
export { checkTurnstileToken, TURNSTILE_SITEVERIFY_URL, type TurnstileCheck } from "./turnstile";
export { isDisposableEmail } from "./disposable";
