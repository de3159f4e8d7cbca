/**
 * Tells this browser's other tabs that the signed-in state changed, so they
 * follow at once instead of at their next token refresh (S2, S7):
 * "session" (another account became active, or one signed out) reloads them;
 * "user" (a profile change) makes them fetch the user again. A tab never
 * reacts to its own messages (BroadcastChannel delivers them to every other
 * channel object, the sending tab's listener included).
 */
export type SessionEvent = "session" | "user";

const CHANNEL = "auth-portal:session";
const THIS_TAB = typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : String(Math.random());

type Message = { event: SessionEvent; from: string };

export function broadcastSessionEvent(event: SessionEvent): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ event, from: THIS_TAB } satisfies Message);
  channel.close();
}

export function onSessionEvent(listener: (event: SessionEvent) => void): () => void {
  if (typeof BroadcastChannel === "undefined") return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (message: MessageEvent<Partial<Message>>) => {
    const { event, from } = message.data ?? {};
    if (from === THIS_TAB) return;
    if (event === "session" || event === "user") listener(event);
  };
  return () => channel.close();
}
