/**
 * `authorization_details` as the Auth0 Guardian app requires them. Every CIBA request in the sandbox is "pushed"
 * to the authenticator page, which stands in for Guardian, so every request is held to Guardian's rule: "the
 * authorization_details parameter value must have only one object in the array, and that object must conform to
 * the following Auth0 schema" — `type` `urn:auth0:schemas:authorization-details:v1:<name>`, an `instruction` for
 * the user, and `properties`, each `{ "display": true, "name": "A String:", "display_order": "1", "value":
 * "Value 1" }` (https://auth0.com/docs/get-started/apis/configure-rich-authorization-requests, "Auth0 Guardian
 * app"). The docs name every field of the example and no optional ones, so all are required, in the example's
 * types: display_order a string of digits, value a string. The same page caps values at 255 characters and allows
 * only `a-zA-Z0-9_.-` in property names. Auth0 documents no error for a request that breaks the schema; the
 * sandbox answers RFC 9396 §5's `invalid_authorization_details`, as it does for an unregistered type.
 *
 * Written apart from the app's own schema (lib/auth/interrupts.ts) so that a mistake there is caught here.
 */
import { errors } from "oidc-provider";
import { z } from "zod";
import type { AuthorizationDetail } from "./ciba-params";

const MAX_VALUE_LENGTH = 255;
const text = z.string().max(MAX_VALUE_LENGTH);

const property = z.strictObject({
  display: z.boolean(),
  name: text.min(1),
  display_order: z.string().regex(/^[0-9]+$/, "must be a string of digits, e.g. \"1\""),
  value: text,
});

const guardianDetail = z.strictObject({
  type: z.string().regex(/^urn:auth0:schemas:authorization-details:v1:[A-Za-z0-9_.-]+$/, "must be urn:auth0:schemas:authorization-details:v1:<name>"),
  instruction: text.min(1),
  properties: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, "property names may use only a-z, A-Z, 0-9, _ . -"), property),
});

export type GuardianDetail = z.infer<typeof guardianDetail>;

/** The request's one detail in Guardian's schema; no details at all is a plain CIBA request. */
export function checkGuardianDetails(details: readonly AuthorizationDetail[] | undefined): GuardianDetail | undefined {
  if (!details) return undefined;
  if (details.length !== 1) {
    throw new errors.InvalidAuthorizationDetails(
      `the Auth0 Guardian app accepts authorization_details with only one object; this request has ${details.length}`,
    );
  }
  const result = guardianDetail.safeParse(details[0]);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${["authorization_details[0]", ...issue.path].join(".")}: ${issue.message}`);
  throw new errors.InvalidAuthorizationDetails(`authorization_details do not conform to the Auth0 Guardian schema: ${problems.join("; ")}`);
}

/** What Guardian shows under the instruction: the displayed properties, in display_order. */
export function displayedProperties(detail: GuardianDetail): { name: string; value: string }[] {
  return Object.values(detail.properties)
    .filter((property) => property.display)
    .sort((a, b) => Number(a.display_order) - Number(b.display_order))
    .map(({ name, value }) => ({ name, value }));
}
