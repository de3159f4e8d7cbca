import { expect, type APIRequestContext } from "@playwright/test";
import { generate } from "otplib";
import { postAsPage } from "./api";

const PERIOD_SECONDS = 30;
const currentStep = () => Math.floor(Date.now() / 1000 / PERIOD_SECONDS);

/**
 * Plays the user's authenticator app for a TOTP secret read from the page
 * (RFC 6238 defaults: SHA-1, 6 digits, 30 s). The server refuses a step at or
 * before the last one it accepted (no replay, S6) and accepts one step ahead,
 * so each code is for a step after the previous one: the next step at once,
 * or after waiting for the clock when that step is still two ahead.
 */
export class Authenticator {
  private lastStep = -1;

  constructor(readonly secret: string) {}

  async nextCode(): Promise<string> {
    const step = Math.max(currentStep(), this.lastStep + 1);
    const waitMs = (step - 1) * PERIOD_SECONDS * 1000 - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs + 250));
    this.lastStep = step;
    return generate({ secret: this.secret, epoch: step * PERIOD_SECONDS });
  }
}

/**
 * Turns on an authenticator app for the user signed in on `request` (just
 * signed up or in: the step-up window is open), as the security page would.
 * Each call refreshes the 4-second e2e session token first.
 */
export async function enableTotpViaApi(request: APIRequestContext): Promise<{ app: Authenticator; backupCodes: string[] }> {
  const call = async <T>(path: string, data: unknown): Promise<T> => {
    expect((await postAsPage(request, "/api/auth/session/refresh", {})).status()).toBe(200);
    const response = await postAsPage(request, path, data);
    expect(response.status(), await response.text()).toBe(200);
    return (await response.json()) as T;
  };
  const { factorId, secret } = await call<{ factorId: string; secret: string }>("/api/account/mfa/totp/start", {});
  const app = new Authenticator(secret);
  const { backupCodes } = await call<{ backupCodes: string[] }>("/api/account/mfa/totp/confirm", { factorId, code: await app.nextCode() });
  return { app, backupCodes };
}
