/**
 * Tells this browser's other tabs that the signed-in state changed, so they
 * follow at once instead of at their next token refresh (S2, S7):
 * "session" (another account became active, or one signed out) reloads them;
 * "user" (a profile change) makes them fetch the user again.
 */
export type SessionEvent = "session" | "user";

const CHANNEL = "auth-portal:session";

export function broadcastSessionEvent(event: SessionEvent): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(event);
  channel.close();
}

export function onSessionEvent(listener: (event: SessionEvent) => void): () => void {
  if (typeof BroadcastChannel === "undefined") return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (message: MessageEvent) => {
    if (message.data === "session" || message.data === "user") listener(message.data);
  };
  return () => channel.close();
}
