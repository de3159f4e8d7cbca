import type { ButtonHTMLAttributes } from "react";
import { Spinner } from "./Spinner";

type Variant = "primary" | "secondary" | "ghost";

const VARIANTS: Record<Variant, string> = {
  primary: "bg-brand text-brand-foreground shadow-sm hover:bg-brand-hover active:bg-brand-hover",
  secondary: "border border-border bg-card text-foreground shadow-xs hover:bg-muted",
  ghost: "text-foreground hover:bg-muted",
};

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: Variant;
  /** Shows a spinner, disables the button and sets aria-busy. The label stays, so the accessible name never changes. */
  loading?: boolean;
  fullWidth?: boolean;
};

export function Button({
  variant = "primary",
  loading = false,
  fullWidth = false,
  disabled,
  className = "",
  children,
  type = "button",
  ...rest
}: ButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      className={[
        "relative inline-flex h-10 items-center justify-center gap-2 rounded-md px-4 text-sm font-semibold whitespace-nowrap",
        "transition-colors select-none disabled:cursor-not-allowed disabled:opacity-70",
        VARIANTS[variant],
        fullWidth ? "w-full" : "",
        className,
      ].join(" ")}
    >
      {/* The spinner is positioned beside the label so showing it moves nothing; the gap spaces an icon from its label. */}
      <span className="relative inline-flex items-center gap-2">
        {loading ? <Spinner className="absolute -left-6 size-4" /> : null}
        {children}
      </span>
    </button>
  );
}
