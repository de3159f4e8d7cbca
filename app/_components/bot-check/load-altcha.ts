// Loaded only when a form needs a bot check (S10): the widget's CSP-safe build (no inline styles,
// no bundled blob workers), its stylesheet, and our worker for the one algorithm the server issues.
import "altcha/external";
import "altcha/altcha.css";

type AltchaGlobal = { algorithms: Map<string, () => Worker> };

const altcha = (globalThis as unknown as { $altcha: AltchaGlobal }).$altcha;
if (!altcha.algorithms.has("PBKDF2/SHA-256")) {
  altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(new URL("./pbkdf2.worker.ts", import.meta.url)));
}
