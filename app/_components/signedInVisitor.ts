import "server-only";
import { redirect } from "next/navigation";
import { auth } from "@/lib/session";
import { getInstanceSettings, redirectAfter } from "@/lib/settings";

/**
 * A visitor who is already signed in has nothing to do on /sign-in or
 * /sign-up: they go where they were headed (redirect_url) or to the after-sign-in page (S8). With
 * multi-session on they may stay to add another account; the page then says so.
 */
export async function sendSignedInVisitorOn(redirectUrl: string | undefined): Promise<{ addingAccount: boolean }> {
  const state = await auth();
  if (!state) return { addingAccount: false };
  const settings = await getInstanceSettings().catch(() => null);
  if (settings?.multiSession) return { addingAccount: true };
  redirect(await redirectAfter("signIn", redirectUrl));
}
