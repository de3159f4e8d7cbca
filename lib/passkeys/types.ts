/** What the account page shows of a passkey (S7); shared by server and browser code. */
export type PasskeySummary = {
  id: string;
  name: string;
  deviceType: string;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
};
