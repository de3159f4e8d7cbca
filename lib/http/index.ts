import "server-only";
export { handler, type HandlerContext } from "./handler";
export { errorResponse, json } from "./responses";
export { clientIp } from "./request-info";
