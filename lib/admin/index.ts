import "server-only";
export { unlockUser } from "./unlock-user";
export { promoteToAdmin, findUserIdByEmail } from "./promote-user";
export { saveOAuthProvider } from "@/lib/oauth";
