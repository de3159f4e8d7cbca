/** What the account page shows of a passkey (S7); shared by server and browser code. */
export type PasskeySummary = {
  id: string;
  name: string;
  /** The provider that holds it (iCloud Keychain, Google Password Manager, ...), from its AAGUID where known. */
  authenticator: string | null;
  deviceType: string;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
};
