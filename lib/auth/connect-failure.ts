import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { getAuth0 } from "./auth0";
import { MyAccountPolicyError, myAccountPolicyProblem } from "./my-account";

export const CONNECT_ROUTE = "/auth/connect";

/**
 * nextjs-auth0's `/auth/connect` first asks for a My Account token with the login refresh token; without the
 * application's Multi-Resource Refresh Token policy that token is for the wrong audience, the My Account API
 * refuses it, and the SDK answers a bare "401" text page — and every later "Connect" lands there again. When that
 * is the cause, the browser goes to /connections instead, which names what the administrator must enable. Any
 * other failure keeps the SDK's answer.
 */
export async function explainConnectFailure(request: NextRequest, sdkResponse: NextResponse): Promise<NextResponse> {
  if (sdkResponse.status < 400) return sdkResponse;
  const session = await getAuth0()
    .getSession(request)
    .catch(() => null);
  const refreshToken = session?.tokenSet.refreshToken;
  if (!refreshToken || !(await myAccountPolicyProblem(refreshToken))) return sdkResponse;
  const target = new URL("/connections", getConfig().APP_BASE_URL);
  target.searchParams.set("connect_error", MyAccountPolicyError.code);
  return NextResponse.redirect(target, 303);
}
