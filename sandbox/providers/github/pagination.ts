import type { Request, Response } from "express";

function pageParam(value: unknown, fallback: number, max: number): number {
  const parsed = typeof value === "string" ? Number.parseInt(value, 10) : Number.NaN;
  return Number.isInteger(parsed) && parsed >= 1 ? Math.min(parsed, max) : fallback;
}

/**
 * One page of `items` for the request's `page` and `per_page` (default 30, at most 100, as GitHub
 * clamps it), with the `Link` header GitHub clients follow for the other pages.
 */
export function paginate<T>(req: Request, res: Response, items: readonly T[], apiBase: string): T[] {
  const perPage = pageParam(req.query.per_page, 30, 100);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const page = pageParam(req.query.page, 1, Number.MAX_SAFE_INTEGER);
  const link = (target: number, rel: string) => {
    const url = new URL(`${apiBase}${req.path}`);
    for (const [name, value] of Object.entries(req.query)) if (typeof value === "string") url.searchParams.set(name, value);
    url.searchParams.set("page", String(target));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(Math.min(page - 1, lastPage), "prev")] : []),
    ...(page < lastPage ? [link(page + 1, "next"), link(lastPage, "last")] : []),
    ...(page > 1 ? [link(1, "first")] : []),
  ];
  if (links.length > 0) res.set("Link", links.join(", "));
  return items.slice((page - 1) * perPage, page * perPage);
}
