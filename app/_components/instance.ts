/**
 * The instance name the environment gives (S11). Pages show the admin's name
 * from settings (app/_components/branding.ts, which defaults to this); this
 * stays for client code that has no settings at hand and as the fallback.
 */
export const INSTANCE_NAME: string = process.env.NEXT_PUBLIC_INSTANCE_NAME?.trim() || "Auth Portal";
