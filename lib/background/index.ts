import "server-only";
export { drainAll, startBackgroundLoop, BACKGROUND_LOOP_INTERVAL_MS, type DrainAllOptions } from "./drain";
export { kickBackgroundWork } from "./kick";
