"use client";

import { X } from "lucide-react";
import { Dialog as DialogPrimitive } from "radix-ui";
import type { ComponentProps } from "react";
import { shareNonceWithScrollLock } from "./style-nonce";

shareNonceWithScrollLock();

/**
 * Dialogs (radix Dialog) styled once for the whole app: focus is trapped
 * and returned, Escape and the close button dismiss, the page behind is
 * inert and does not scroll. Always give a DialogTitle and a DialogDescription.
 */
export const Dialog = DialogPrimitive.Root;

export const DialogTrigger = DialogPrimitive.Trigger;
export const DialogClose = DialogPrimitive.Close;

export const overlayClassName =
  "fixed inset-0 z-50 bg-black/50 transition-opacity duration-150 starting:opacity-0 motion-reduce:transition-none";

export const contentClassName = [
  "fixed top-1/2 left-1/2 z-50 grid max-h-[calc(100dvh-2rem)] w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 gap-4 overflow-y-auto",
  "rounded-xl border border-border bg-card p-5 text-card-foreground shadow-xl shadow-black/20 outline-none sm:p-6",
  "transition-[opacity,scale] duration-150 starting:scale-95 starting:opacity-0 motion-reduce:transition-none",
].join(" ");

export function DialogContent({
  className = "",
  children,
  showCloseButton = true,
  ...props
}: ComponentProps<typeof DialogPrimitive.Content> & { showCloseButton?: boolean }) {
  return (
    <DialogPrimitive.Portal>
      <DialogPrimitive.Overlay className={overlayClassName} />
      <DialogPrimitive.Content className={`${contentClassName} ${className}`} {...props}>
        {children}
        {showCloseButton ? (
          <DialogPrimitive.Close className="absolute top-3 right-3 inline-flex size-8 items-center justify-center rounded-md text-muted-foreground transition-colors hover:bg-muted hover:text-foreground">
            <X aria-hidden="true" className="size-4" />
            <span className="sr-only">Close</span>
          </DialogPrimitive.Close>
        ) : null}
      </DialogPrimitive.Content>
    </DialogPrimitive.Portal>
  );
}

export function DialogHeader({ className = "", ...props }: ComponentProps<"div">) {
  return <div className={`grid gap-1.5 pr-8 ${className}`} {...props} />;
}

export function DialogFooter({ className = "", ...props }: ComponentProps<"div">) {
  return <div className={`mt-1 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end ${className}`} {...props} />;
}

export function DialogTitle({ className = "", ...props }: ComponentProps<typeof DialogPrimitive.Title>) {
  return <DialogPrimitive.Title className={`text-lg font-semibold tracking-tight text-foreground ${className}`} {...props} />;
}

export function DialogDescription({ className = "", ...props }: ComponentProps<typeof DialogPrimitive.Description>) {
  return <DialogPrimitive.Description className={`text-sm text-muted-foreground ${className}`} {...props} />;
}
