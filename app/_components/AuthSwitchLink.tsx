import Link from "next/link";

/** "Don't have an account? Sign up" style footer link that carries redirect_url across. */
export function AuthSwitchLink({
  prompt,
  label,
  href,
  redirectUrl,
}: {
  prompt: string;
  label: string;
  href: "/sign-in" | "/sign-up";
  redirectUrl?: string;
}) {
  const target = redirectUrl ? `${href}?${new URLSearchParams({ redirect_url: redirectUrl }).toString()}` : href;
  return (
    <p>
      {prompt}{" "}
      <Link
        href={target}
        className="rounded-sm font-medium text-brand underline-offset-4 hover:underline focus-visible:underline"
      >
        {label}
      </Link>
    </p>
  );
}
