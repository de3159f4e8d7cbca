import type { ReactNode } from "react";
import { pageBranding } from "./branding";
import { LogoMark } from "./LogoMark";

/**
 * The centred card every auth page uses: instance mark (the logo when set) and
 * name, one h1 with a subtitle, the form, and a footer (typically the
 * sign-in/sign-up switch). Server-rendered: the branding costs no script.
 */
export async function AuthCard({
  title,
  subtitle,
  children,
  footer,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const { instanceName } = await pageBranding();
  return (
    <div className="w-full max-w-[25rem]">
      <div className="rounded-2xl border border-border bg-card text-card-foreground shadow-[0_1px_2px_rgb(0_0_0/0.04),0_8px_24px_-8px_rgb(0_0_0/0.12)]">
        <div className="px-6 pt-8 pb-6 sm:px-8">
          <div className="flex flex-col items-center text-center">
            <LogoMark size="lg" />
            <p className="mt-3 text-sm font-medium text-muted-foreground">{instanceName}</p>
            <h1 className="mt-4 text-xl font-semibold tracking-tight text-foreground sm:text-2xl">{title}</h1>
            {subtitle ? <p className="mt-1.5 text-sm text-muted-foreground">{subtitle}</p> : null}
          </div>
          <div className="mt-6">{children}</div>
        </div>
        {footer ? (
          <div className="rounded-b-2xl border-t border-border bg-muted/60 px-6 py-4 text-center text-sm text-muted-foreground sm:px-8">
            {footer}
          </div>
        ) : null}
      </div>
    </div>
  );
}
