// The second-factor challenge in a first factor's answer (S6): kept apart from
// SecondFactorStep so the sign-in form can read it without loading the step
// (and its code input) before anyone needs it.

/** What the first factor answers for an account with two-step verification (S6). */
export type SecondFactorMethods = {
  totp: boolean;
  backupCode: boolean;
  sms: { phoneHint: string } | null;
  securityKey?: boolean;
  /** The step opens with the security key when it is the user's only or most recent factor. */
  preferred?: "security_key" | null;
};
export type SecondFactorChallenge = { attemptId: string; methods: SecondFactorMethods; redirectUrl?: string | null };

/** The challenge in a first factor's answer (password, email code or link, reset, status poll), or null. */
export function secondFactorChallenge(data: {
  status: string;
  attemptId?: string;
  methods?: SecondFactorMethods;
  redirectUrl?: string | null;
}): SecondFactorChallenge | null {
  if (data.status !== "needs_second_factor" || !data.attemptId || !data.methods) return null;
  return { attemptId: data.attemptId, methods: data.methods, redirectUrl: data.redirectUrl ?? null };
}
