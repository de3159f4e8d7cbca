import { pageBranding } from "./branding";

const HEIGHT_PX = { sm: 28, md: 36, lg: 48 } as const;
const BOX = { sm: "size-7 rounded-md", md: "size-9 rounded-lg", lg: "size-12 rounded-xl" } as const;
const ICON = { sm: "size-4", md: "size-5", lg: "size-7" } as const;
/** A logo keeps its aspect ratio at the mark's height, within a wordmark's width. */
const LOGO = { sm: "h-7 max-w-28", md: "h-9 max-w-36", lg: "h-12 max-w-48" } as const;

/**
 * The instance's mark: the admin's logo when one is set (S8), else a shield
 * on the brand colour. Decorative: pair it with visible text (the name).
 */
export async function LogoMark({ size = "md" }: { size?: "sm" | "md" | "lg" }) {
  const { logoUrl, logoSize } = await pageBranding();
  if (logoUrl && logoSize) {
    const height = HEIGHT_PX[size];
    // width/height give the box its size before the image loads: no layout shift.
    const width = Math.max(1, Math.round((logoSize.width * height) / logoSize.height));
    return (
      // eslint-disable-next-line @next/next/no-img-element -- our own /branding/logo route, already sized and versioned
      <img src={logoUrl} alt="" width={width} height={height} className={`inline-block w-auto shrink-0 object-contain ${LOGO[size]}`} />
    );
  }
  return (
    <span
      aria-hidden="true"
      className={`inline-flex shrink-0 items-center justify-center bg-brand text-brand-foreground shadow-sm ring-1 ring-black/5 ring-inset ${BOX[size]}`}
    >
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" className={ICON[size]}>
        <path d="M12 3 4.5 6v5.5c0 4.6 3.2 8.3 7.5 9.5 4.3-1.2 7.5-4.9 7.5-9.5V6L12 3Z" />
        <path d="m9 12 2 2 4-4" />
      </svg>
    </span>
  );
}
