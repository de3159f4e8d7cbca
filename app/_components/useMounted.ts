import { useSyncExternalStore } from "react";

const subscribeNever = () => () => {};

/**
 * False during the server render and hydration, true after. For widgets whose
 * library sets inline styles while rendering (recharts, radix Tabs): in the
 * browser React applies them through CSSOM, which the CSP allows; as style
 * attributes in server HTML the CSP would refuse them.
 */
export function useMounted(): boolean {
  return useSyncExternalStore(subscribeNever, () => true, () => false);
}
