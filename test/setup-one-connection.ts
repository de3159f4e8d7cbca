import { setBrandingCacheTtlForTests } from "@/lib/branding";
import { setSettingsCacheTtlForTests } from "@/lib/settings";

// Every settings (and branding) read goes to the database, as on a cold cache: one made
// inside a transaction would wait for it on this one-connection pool (and lib/db.ts refuses it).
setSettingsCacheTtlForTests(0);
setBrandingCacheTtlForTests(0);
