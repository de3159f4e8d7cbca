import { KeyRound, Link2, MonitorSmartphone, UserRound } from "lucide-react";
import { SideNav } from "../SideNav";

/** The account pages' navigation (S7). */
export function AccountNav() {
  return (
    <SideNav
      label="Account"
      groups={[
        {
          items: [
            { href: "/account", label: "Profile", icon: <UserRound aria-hidden="true" />, exact: true },
            { href: "/account/security", label: "Security", icon: <KeyRound aria-hidden="true" /> },
            { href: "/account/connected-accounts", label: "Connected accounts", icon: <Link2 aria-hidden="true" /> },
            { href: "/account/devices", label: "Devices", icon: <MonitorSmartphone aria-hidden="true" /> },
          ],
        },
      ]}
    />
  );
}
