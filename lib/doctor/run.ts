import type { Config } from "@/lib/config";
import { fail, skipAfter, type CheckResult } from "./check";
import { checkFga, FGA_MODEL_TITLE, FGA_STORE_TITLE } from "./fga";
import { checkClientCredentials, checkDiscovery, checkGrants, CREDENTIALS_TITLE, GRANT_PROBES } from "./identity";
import { checkManagementApi, MANAGEMENT_API_TITLE } from "./management-api";
import { checkModel, EMBEDDING_TITLE, MODEL_TITLE } from "./model";
import { checkProtectedApis, PROTECTED_API_TITLES } from "./protected-apis";
import { checkPostgres, MIGRATIONS_TITLE, PGVECTOR_TITLE, POSTGRES_TITLE } from "./postgres";
import { checkRefreshTokenPolicy, REFRESH_TOKEN_POLICY_TITLE } from "./refresh-token-policy";
import { checkShop, SHOP_TITLE } from "./shop";

export interface DoctorInput {
  config: Config;
  /** A signed-in user's refresh token (DOCTOR_REFRESH_TOKEN), for the one check only a user's token can make. */
  refreshToken?: string;
}

const IDENTITY_FIX = "Check AUTH0_DOMAIN and that the identity server is up, then run the doctor again.";
const GRANT_TITLES = [GRANT_PROBES.refreshToken.title, GRANT_PROBES.tokenVault.title, GRANT_PROBES.ciba.title];

/**
 * Every check, in the order a deployer fixes things: the identity server first (nothing signs in without it),
 * then the services. Groups that do not depend on each other run side by side. A check that throws (a service
 * stopped answering half-way) becomes a failure saying why, never a crash of the whole report.
 */
export async function runDoctor({ config, refreshToken }: DoctorInput): Promise<CheckResult[]> {
  const identity = identityChecks(config, refreshToken);
  const shop = identity.then((results) => {
    const ciba = results.find((result) => result.title === GRANT_PROBES.ciba.title)!;
    return guarded([SHOP_TITLE], "Check SHOP_API_URL and that the shop API is up.", async () => [await checkShop(config, ciba)]);
  });
  const groups = await Promise.all([
    identity,
    guarded([FGA_STORE_TITLE, FGA_MODEL_TITLE], "Check FGA_API_URL and that the FGA server is up.", () => checkFga(config)),
    guarded([POSTGRES_TITLE, PGVECTOR_TITLE, MIGRATIONS_TITLE], "Check DATABASE_URL and that Postgres is up.", () => checkPostgres(config)),
    guarded([MODEL_TITLE, EMBEDDING_TITLE], "Check OPENAI_BASE_URL and that the model server is up.", () => checkModel(config)),
    shop,
  ]);
  return groups.flat();
}

/** Discovery, then the client's credentials, then what this client may do; each step needs the one before. */
async function identityChecks(config: Config, refreshToken: string | undefined): Promise<CheckResult[]> {
  const { result: discovery, server } = await checkDiscovery(config);
  const later = [CREDENTIALS_TITLE, ...GRANT_TITLES, REFRESH_TOKEN_POLICY_TITLE, MANAGEMENT_API_TITLE, ...PROTECTED_API_TITLES];
  if (!server) return [discovery, ...later.map((title) => skipAfter(title, discovery))];

  const [credentials] = await guarded([CREDENTIALS_TITLE], IDENTITY_FIX, async () => [await checkClientCredentials(server, config)]);
  if (credentials!.status !== "pass") return [discovery, credentials!, ...later.slice(1).map((title) => skipAfter(title, credentials!))];

  const grants = await guarded(GRANT_TITLES, IDENTITY_FIX, async () => Object.values(await checkGrants(server, config)));
  const refreshGrant = grants[0]!;
  const [policy, management, apis] = await Promise.all([
    refreshGrant.status === "pass"
      ? guarded([REFRESH_TOKEN_POLICY_TITLE], IDENTITY_FIX, async () => [await checkRefreshTokenPolicy(server, config, refreshToken)])
      : [skipAfter(REFRESH_TOKEN_POLICY_TITLE, refreshGrant)],
    guarded([MANAGEMENT_API_TITLE], IDENTITY_FIX, async () => [await checkManagementApi(server, config)]),
    guarded(PROTECTED_API_TITLES, IDENTITY_FIX, () => checkProtectedApis(server, config)),
  ]);
  return [discovery, credentials!, ...grants, ...policy, ...management, ...apis];
}

/** Runs a group of checks; if it throws, every line of the group fails with the reason and `fix`. */
async function guarded(titles: string[], fix: string, run: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await run();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return titles.map((title) => fail(title, reason, fix));
  }
}
