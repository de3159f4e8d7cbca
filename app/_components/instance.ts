/** The instance's display name (S11). NEXT_PUBLIC_ so client components see the same value. */
export const INSTANCE_NAME: string = process.env.NEXT_PUBLIC_INSTANCE_NAME?.trim() || "Auth Portal";
