import "server-only";
export { signUpWithPassword, type SignUpResult } from "./password-sign-up";
