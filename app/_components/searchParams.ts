export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The first value of a query parameter, or undefined. */
export function firstParam(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.length > 0 ? first : undefined;
}

/**
 * The page's `redirect_url`, passed through to the API as `redirectUrl`. The
 * API validates the target (S10); here we only drop values it would reject
 * outright (over 2048 characters).
 */
export async function readRedirectUrl(searchParams: SearchParams): Promise<string | undefined> {
  const value = firstParam((await searchParams).redirect_url);
  return value && value.length <= 2048 ? value : undefined;
}
