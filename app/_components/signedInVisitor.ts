import "server-only";
import { redirect } from "next/navigation";
import { allowedRedirect } from "@/lib/http";
import { auth } from "@/lib/session";
import { getInstanceSettings } from "@/lib/settings";

/**
 * A visitor who is already signed in has nothing to do on /sign-in or
 * /sign-up: they go where they were headed (redirect_url) or home. With
 * multi-session on they may stay to add another account; the page then says so.
 */
export async function sendSignedInVisitorOn(redirectUrl: string | undefined): Promise<{ addingAccount: boolean }> {
  const state = await auth();
  if (!state) return { addingAccount: false };
  const settings = await getInstanceSettings().catch(() => null);
  if (settings?.multiSession) return { addingAccount: true };
  redirect(allowedRedirect(redirectUrl));
}
