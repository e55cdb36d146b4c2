import express, { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import { errors, type Interaction, type Provider } from "oidc-provider";
import type { ApiRegistration } from "./api-audiences";
import { renderConsentPage, type ConsentApi } from "./consent-page";
import { renderLoginPage } from "./login-page";
import { renderErrorPage } from "./provider-pages";
import { authenticate, findUserBySub } from "./users";

const loginAction = (uid: string) => `/interaction/${encodeURIComponent(uid)}/login`;
const consentAction = (uid: string) => `/interaction/${encodeURIComponent(uid)}/consent`;

export interface InteractionOptions {
  provider: Provider;
  /** First-party applications skip consent; third-party (registered) ones get the consent screen. */
  firstPartyClientIds: ReadonlySet<string>;
  /** How the consent screen names an API and its permissions; undefined for an API without a registration. */
  describeApi: (audience: string) => Pick<ApiRegistration, "name" | "scopeDescriptions"> | undefined;
  onServerError: (error: unknown) => void;
}

/** Auth0's answer to the application when the user presses Deny on the consent screen. */
const CONSENT_DENIED = { error: "access_denied", error_description: "User did not authorize the request" } as const;

// The interaction comes from the signed cookie; insisting it matches the URL means a form can
// only ever complete the sign-in it was rendered for, never another one running in the browser.
async function interactionFor(provider: Provider, req: Request<{ uid: string }>, res: Response): Promise<Interaction> {
  const interaction = await provider.interactionDetails(req, res);
  if (interaction.uid !== req.params.uid) {
    throw new errors.SessionNotFound("this sign-in page belongs to another sign-in attempt; start again from the app");
  }
  return interaction;
}

// A first-party application is granted what it asks without a screen, as Auth0 does; a third-party one only
// once the user allows it on the consent screen.
async function grantRequestedAccess(provider: Provider, interaction: Interaction): Promise<string> {
  const accountId = interaction.session?.accountId;
  if (!accountId) throw new errors.SessionNotFound("no signed-in user to grant access for");
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId: interaction.params.client_id });
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = interaction.prompt.details;
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(" "));
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(" "));
  }
  return grant.save();
}

function formField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

function consentApis(interaction: Interaction, describeApi: InteractionOptions["describeApi"]): ConsentApi[] {
  return Object.entries(interaction.prompt.details.missingResourceScopes ?? {}).map(([audience, scopes]) => {
    const api = describeApi(audience);
    return {
      audience,
      name: api?.name ?? audience,
      scopes: scopes.map((scope) => ({ scope, description: api?.scopeDescriptions?.[scope] ?? scope })),
    };
  });
}

async function consentPage(provider: Provider, interaction: Interaction, options: InteractionOptions): Promise<string> {
  const client = await provider.Client.find(interaction.params.client_id);
  const accountId = interaction.session?.accountId;
  const clientHost = client?.clientIdMetadataDocument ? new URL(client.clientId).host : undefined;
  return renderConsentPage({
    action: consentAction(interaction.uid),
    clientName: client?.clientName ?? clientHost ?? interaction.params.client_id,
    clientHost,
    userEmail: (accountId && findUserBySub(accountId)?.email) || "",
    oidcScopes: interaction.prompt.details.missingOIDCScope ?? [],
    apis: consentApis(interaction, options.describeApi),
  });
}

export function interactionRoutes(options: InteractionOptions): Router {
  const { provider, firstPartyClientIds, onServerError } = options;
  const router = Router();

  router.get("/interaction/:uid", async (req, res) => {
    const interaction = await interactionFor(provider, req, res);
    switch (interaction.prompt.name) {
      case "login":
        res.type("html").send(renderLoginPage({ action: loginAction(interaction.uid) }));
        return;
      case "consent":
        if (!firstPartyClientIds.has(interaction.params.client_id)) {
          res.type("html").send(await consentPage(provider, interaction, options));
          return;
        }
        await provider.interactionFinished(req, res, {
          consent: { grantId: await grantRequestedAccess(provider, interaction) },
        });
        return;
      default:
        throw new errors.InvalidRequest(`the sandbox cannot handle the "${interaction.prompt.name}" prompt`);
    }
  });

  router.post("/interaction/:uid/login", express.urlencoded({ extended: false }), async (req, res) => {
    const interaction = await interactionFor(provider, req, res);
    if (interaction.prompt.name !== "login") {
      throw new errors.InvalidRequest("this sign-in attempt is not waiting for a password");
    }
    const email = formField(req.body, "email");
    const user = authenticate(email, formField(req.body, "password"));
    if (!user) {
      res
        .status(401)
        .type("html")
        .send(
          renderLoginPage({
            action: loginAction(interaction.uid),
            email,
            error: "Wrong email or password. Use one of the sandbox users listed below.",
          }),
        );
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.sub } },
      { mergeWithLastSubmission: false },
    );
  });

  router.post("/interaction/:uid/consent", express.urlencoded({ extended: false }), async (req, res) => {
    const interaction = await interactionFor(provider, req, res);
    if (interaction.prompt.name !== "consent") {
      throw new errors.InvalidRequest("this sign-in attempt is not waiting for consent");
    }
    const decision = formField(req.body, "decision");
    if (decision === "deny") {
      await provider.interactionFinished(req, res, CONSENT_DENIED, { mergeWithLastSubmission: false });
      return;
    }
    if (decision !== "allow") throw new errors.InvalidRequest("choose Allow or Deny");
    await provider.interactionFinished(req, res, {
      consent: { grantId: await grantRequestedAccess(provider, interaction) },
    });
  });

  const renderInteractionError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof errors.OIDCProviderError && error.expose) {
      res.status(error.status).type("html").send(renderErrorPage(error));
      return;
    }
    onServerError(error);
    res.status(500).type("html").send(renderErrorPage({ error: "server_error" }));
  };
  router.use(renderInteractionError);

  return router;
}
