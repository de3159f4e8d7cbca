"use client";

import { Mail, Smartphone } from "lucide-react";
import { Button } from "./Button";

/**
 * "Use phone" / "Use email": switches a sign-in or sign-up form between its
 * email and phone versions where both identifiers are on (issue 19).
 * `onIntent` runs on hover or focus, before the click (to preload the other form).
 */
export function IdentifierSwitch({
  to,
  onClick,
  onIntent,
  disabled,
}: {
  to: "phone" | "email";
  onClick: () => void;
  onIntent?: () => void;
  disabled?: boolean;
}) {
  return (
    <Button type="button" variant="ghost" fullWidth onClick={onClick} onPointerEnter={onIntent} onFocus={onIntent} disabled={disabled}>
      {to === "phone" ? <Smartphone aria-hidden="true" className="size-4" /> : <Mail aria-hidden="true" className="size-4" />}
      {to === "phone" ? "Use phone" : "Use email"}
    </Button>
  );
}
