import { FileClock, FileJson, KeyRound, KeySquare, LayoutDashboard, Settings, Users, Webhook } from "lucide-react";
import { SideNav } from "../SideNav";

/**
 * The admin console's navigation (S8). "Integrations" is where webhooks,
 * JWT templates and API keys join signing keys (S9).
 */
export function AdminNav() {
  return (
    <SideNav
      label="Admin"
      groups={[
        {
          label: "Instance",
          items: [
            { href: "/admin", label: "Overview", icon: <LayoutDashboard aria-hidden="true" />, exact: true },
            { href: "/admin/users", label: "Users", icon: <Users aria-hidden="true" /> },
            { href: "/admin/audit", label: "Audit log", icon: <FileClock aria-hidden="true" /> },
            { href: "/admin/settings", label: "Settings", icon: <Settings aria-hidden="true" /> },
          ],
        },
        {
          label: "Integrations",
          items: [
            { href: "/admin/webhooks", label: "Webhooks", icon: <Webhook aria-hidden="true" /> },
            { href: "/admin/jwt-templates", label: "JWT templates", icon: <FileJson aria-hidden="true" /> },
            { href: "/admin/api-keys", label: "API keys", icon: <KeySquare aria-hidden="true" /> },
            { href: "/admin/signing-keys", label: "Signing keys", icon: <KeyRound aria-hidden="true" /> },
          ],
        },
      ]}
    />
  );
}
