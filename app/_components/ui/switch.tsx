"use client";

import type { InputHTMLAttributes } from "react";

type SwitchProps = Omit<InputHTMLAttributes<HTMLInputElement>, "type" | "onChange" | "role"> & {
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
};

/**
 * An on/off switch: a native checkbox with role="switch" (Space toggles, the
 * label and state are announced, it submits with a form), drawn as a track
 * and thumb. Native rather than radix's Switch: radix renders a hidden input
 * with an inline style attribute in the server HTML, which the production CSP
 * refuses (a violation per switch). Label it with <label htmlFor>.
 */
export function Switch({ checked, onCheckedChange, className = "", ...props }: SwitchProps) {
  return (
    <input
      type="checkbox"
      role="switch"
      checked={checked}
      aria-checked={checked}
      onChange={(event) => onCheckedChange(event.target.checked)}
      className={[
        "relative h-6 w-11 shrink-0 cursor-pointer appearance-none rounded-full bg-input/50 transition-colors checked:bg-brand",
        "before:absolute before:top-0.5 before:left-0.5 before:size-5 before:rounded-full before:bg-card before:shadow-sm before:transition-transform before:content-['']",
        "checked:before:translate-x-5 motion-reduce:before:transition-none",
        "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring",
        "disabled:cursor-not-allowed disabled:opacity-60",
        className,
      ].join(" ")}
      {...props}
    />
  );
}
