import type { NextRequest } from "next/server";
import { getAuth0 } from "@/lib/auth/auth0";

/** Mounts /auth/* (login, callback, logout, connect) and keeps rolling sessions fresh on every request. */
export async function proxy(request: NextRequest) {
  return getAuth0().middleware(request);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|sitemap.xml|robots.txt).*)"],
};
