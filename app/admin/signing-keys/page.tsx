import type { Metadata } from "next";
import { StepUpProvider } from "@/app/_components/account/step-up";
import { Badge } from "@/app/_components/admin/Badge";
import { formatDateTime } from "@/app/_components/admin/labels";
import { PageHeader, Panel } from "@/app/_components/admin/PageHeader";
import { PublicKeyPem } from "@/app/_components/admin/PublicKeyPem";
import { RotateKeyButton } from "@/app/_components/admin/RotateKeyButton";
import { listSigningKeys } from "@/lib/session";
import { requireAdmin } from "@/lib/session/server";

export const metadata: Metadata = { title: "Signing keys" };

/** Signing keys (S2, S8): the keys in the JWKS, and rotation. */
export default async function SigningKeysPage() {
  await requireAdmin();
  const keys = await listSigningKeys();
  return (
    <StepUpProvider>
      <PageHeader
        title="Signing keys"
        description={
          <>
            Session tokens are signed ES256 with the active key. Other apps verify them with the public keys at{" "}
            <a href="/.well-known/jwks.json" className="font-medium text-foreground underline underline-offset-2">
              /.well-known/jwks.json
            </a>
            . Services that take a key instead of a URL can use each key&apos;s PEM below; OpenID discovery is at{" "}
            <a href="/.well-known/openid-configuration" className="font-medium text-foreground underline underline-offset-2">
              /.well-known/openid-configuration
            </a>
            .
          </>
        }
        actions={<RotateKeyButton />}
      />
      <div tabIndex={0} role="region" aria-label="Signing keys table" className="overflow-x-auto rounded-xl border border-border bg-card shadow-sm focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full min-w-[36rem] text-left text-sm">
          <caption className="sr-only">Published signing keys</caption>
          <thead className="border-b border-border text-muted-foreground">
            <tr>
              <th scope="col" className="px-4 py-3 font-medium">Key id (kid)</th>
              <th scope="col" className="px-4 py-3 font-medium">State</th>
              <th scope="col" className="px-4 py-3 font-medium">Created</th>
              <th scope="col" className="px-4 py-3 font-medium">Published until</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {keys.map((key) => (
              <tr key={key.kid}>
                <td className="px-4 py-3">
                  <code className="font-mono text-xs">{key.kid}</code> <span className="text-muted-foreground">{key.algorithm}</span>
                </td>
                <td className="px-4 py-3">{key.active ? <Badge tone="success">Active</Badge> : <Badge>Retired {formatDateTime(key.retiredAt)}</Badge>}</td>
                <td className="px-4 py-3 whitespace-nowrap text-muted-foreground">{formatDateTime(key.createdAt)}</td>
                <td className="px-4 py-3 whitespace-nowrap text-muted-foreground">{key.publishedUntil ? formatDateTime(key.publishedUntil) : "While active"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="mt-6">
        <Panel
          id="public-keys"
          title="Public keys (PEM)"
          description="For verifiers configured with a PEM key rather than the JWKS URL. After a rotation, add the new key before the old one leaves the JWKS."
        >
          <ul className="grid gap-4">
            {keys.map((key) => (
              <li key={key.kid}>
                <PublicKeyPem kid={key.kid} pem={key.publicKeyPem} open={key.active} />
              </li>
            ))}
          </ul>
        </Panel>
      </div>
    </StepUpProvider>
  );
}
