// Entry point: WEBHOOK_SECRET=whsec_... node server.mjs
import { createReceiverApp } from "./app.mjs";

const secret = process.env.WEBHOOK_SECRET;
if (!secret?.startsWith("whsec_")) {
  console.error("Set WEBHOOK_SECRET to the endpoint's signing secret (whsec_...), from Admin → Webhooks → your endpoint → Reveal.");
  process.exit(1);
}

/** A local mirror of the portal's users, kept up to date by events: what a real app would keep in its database. */
const users = new Map();

const app = createReceiverApp({
  secret,
  onEvent: async (event, { id }) => {
    switch (event.type) {
      case "user.created":
      case "user.updated":
        users.set(event.data.id, event.data);
        break;
      case "user.deleted":
        users.delete(event.data.id);
        break;
      case "session.created":
      case "session.ended":
      case "session.revoked":
        // event.data.user_id, event.data.status ... e.g. audit or analytics
        break;
      default:
        // email.created, sms.created, and event types added later: ignore what you do not handle.
        break;
    }
    console.log(`${id} ${event.type} (${users.size} users mirrored)`);
  },
});
const port = Number(process.env.PORT ?? 4001);
app.listen(port, () => console.log(`Webhook receiver on http://localhost:${port}/webhooks/portal`));
