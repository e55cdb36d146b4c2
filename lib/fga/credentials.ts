import { CredentialsMethod } from "@openfga/sdk";

interface FgaEnv {
  FGA_API_URL: string;
  FGA_API_TOKEN?: string;
  FGA_CLIENT_ID?: string;
  FGA_CLIENT_SECRET?: string;
  FGA_API_TOKEN_ISSUER?: string;
  FGA_API_AUDIENCE?: string;
}

/** OpenFGA takes a pre-shared token; Auth0 FGA takes client credentials; the sandbox takes neither. */
export function fgaCredentials(env: FgaEnv) {
  if (env.FGA_CLIENT_ID) {
    return {
      method: CredentialsMethod.ClientCredentials as const,
      config: {
        apiTokenIssuer: env.FGA_API_TOKEN_ISSUER ?? "auth.fga.dev",
        apiAudience: env.FGA_API_AUDIENCE ?? `${env.FGA_API_URL.replace(/\/+$/, "")}/`,
        clientId: env.FGA_CLIENT_ID,
        clientSecret: env.FGA_CLIENT_SECRET ?? "",
      },
    };
  }
  if (env.FGA_API_TOKEN) return { method: CredentialsMethod.ApiToken as const, config: { token: env.FGA_API_TOKEN } };
  return undefined;
}
