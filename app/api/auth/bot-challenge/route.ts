import { newBotChallenge } from "@/lib/bot-protection";
import { handler, json } from "@/lib/http";
import { getInstanceSettings } from "@/lib/settings";

/** A fresh proof-of-work challenge for the sign-up and sign-in forms' widget (S10); signed, never stored. */
export const GET = handler({}, async () => json(await newBotChallenge(await getInstanceSettings())));
