import { handler, json } from "@/lib/http";
import { listBrowserAccounts, readClientToken } from "@/lib/session";
import { getInstanceSettings } from "@/lib/settings";

/** The accounts signed in on this browser, for the UserButton's switcher (S2 multi-session). */
export const GET = handler({}, async ({ request }) => {
  const [settings, accounts] = await Promise.all([getInstanceSettings(), listBrowserAccounts(readClientToken(request))]);
  return json({ multiSession: settings.multiSession, accounts });
});
