import "server-only";
export { unlockUser } from "./unlock-user";
