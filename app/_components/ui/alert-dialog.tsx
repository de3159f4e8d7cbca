"use client";

import { AlertDialog as AlertDialogPrimitive } from "radix-ui";
import type { ComponentProps } from "react";
import { contentClassName, overlayClassName } from "./dialog";

/**
 * Confirmations ("Turn off two-step verification?"): radix AlertDialog, the
 * Dialog variant for questions that interrupt (role="alertdialog", focus
 * starts on Cancel, a click outside does not dismiss). Same look as dialog.tsx.
 */
export const AlertDialog = AlertDialogPrimitive.Root;
export const AlertDialogTrigger = AlertDialogPrimitive.Trigger;
export const AlertDialogCancel = AlertDialogPrimitive.Cancel;
export const AlertDialogAction = AlertDialogPrimitive.Action;

export function AlertDialogContent({ className = "", ...props }: ComponentProps<typeof AlertDialogPrimitive.Content>) {
  return (
    <AlertDialogPrimitive.Portal>
      <AlertDialogPrimitive.Overlay className={overlayClassName} />
      <AlertDialogPrimitive.Content className={`${contentClassName} ${className}`} {...props} />
    </AlertDialogPrimitive.Portal>
  );
}

export function AlertDialogTitle({ className = "", ...props }: ComponentProps<typeof AlertDialogPrimitive.Title>) {
  return <AlertDialogPrimitive.Title className={`text-lg font-semibold tracking-tight text-foreground ${className}`} {...props} />;
}

export function AlertDialogDescription({ className = "", ...props }: ComponentProps<typeof AlertDialogPrimitive.Description>) {
  return <AlertDialogPrimitive.Description className={`text-sm text-muted-foreground ${className}`} {...props} />;
}
