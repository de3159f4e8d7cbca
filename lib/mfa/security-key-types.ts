/** What the account page shows of a security key (a second factor only); shared by server and browser code. */
export type SecurityKeySummary = {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
};
