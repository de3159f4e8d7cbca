"use client";

import { navigate } from "./api";
import { EmailCodeStep } from "./CodeStep";

/** Our email check after an OAuth sign-up whose provider did not vouch for the address (S5, S4). */
export function OAuthVerifyStep(props: { email: string; attemptId: string; resendAfter: number; contents?: "code_and_link" | "code" | "link" }) {
  return <EmailCodeStep {...props} onStartOver={() => navigate("/sign-up")} />;
}
