"use client";

import dynamic from "next/dynamic";
import { Spinner } from "./Spinner";

/*
 * The steps a visitor of /sign-in or /sign-up may never reach, loaded when
 * first shown (or preloaded when the step that leads to them starts): the
 * code input (input-otp) and the phone field (libphonenumber-js's metadata)
 * alone weigh about 50 kB gzip, over three times the sign-in page's budget
 * above the empty page (issue 18, docs/performance.md). A phone-first instance
 * renders the phone form on the server, so it still arrives with the page.
 */

function StepLoading() {
  return (
    <div role="status" className="flex items-center justify-center gap-2 py-10 text-sm text-muted-foreground">
      <Spinner />
      Loading…
    </div>
  );
}

const codeStep = () => import("./CodeStep");
const secondFactorStep = () => import("./SecondFactorStep");
const phoneForms = () => import("./PhoneSignInForm");

export const EmailCodeStep = dynamic(() => codeStep().then((module) => module.EmailCodeStep), { loading: StepLoading });
export const SecondFactorStep = dynamic(() => secondFactorStep().then((module) => module.SecondFactorStep), { loading: StepLoading });
export const PhoneSignInForm = dynamic(() => phoneForms().then((module) => module.PhoneSignInForm), { loading: StepLoading });
export const PhoneSignUpForm = dynamic(() => phoneForms().then((module) => module.PhoneSignUpForm), { loading: StepLoading });

/** Starts loading the steps that can follow a submitted password or a code request, while the request runs. */
export function preloadNextSteps(): void {
  void codeStep().catch(() => {});
  void secondFactorStep().catch(() => {});
}

/** Starts loading the phone forms (on hover or focus of "Use phone"). */
export function preloadPhoneForms(): void {
  void phoneForms().catch(() => {});
}
