import { protectedResource, type ResourceName } from "@/lib/auth/protected-resources";
import { getConfig, issuerUrl } from "@/lib/config";
import { corsHeaders } from "@/lib/http/cors";

/**
 * RFC 9728 Protected Resource Metadata: where a client learns which authorization server issues tokens for a
 * resource and which scopes it defines. /.well-known/oauth-protected-resource/mcp describes the MCP server (MCP
 * clients find it from the 401's `resource_metadata`, or by this path); …/api describes the terminal client's API.
 */
const RESOURCES: Record<string, ResourceName> = { mcp: "mcp", api: "api" };

export function GET(_request: Request, { params }: { params: Promise<{ path?: string[] }> }) {
  return params.then(({ path = [] }) => {
    const name = Object.hasOwn(RESOURCES, path.join("/")) ? RESOURCES[path.join("/")] : undefined;
    if (!name) return Response.json({ error: "not_found" }, { status: 404, headers: corsHeaders });
    const config = getConfig();
    const resource = protectedResource(name, config);
    return Response.json(
      {
        resource: resource.audience,
        authorization_servers: [issuerUrl(config)],
        scopes_supported: resource.scopes,
        bearer_methods_supported: ["header"],
        resource_name: name === "mcp" ? "Delegate (MCP tools)" : "Delegate (chat API)",
        resource_documentation: new URL("/", config.APP_BASE_URL).href,
        // An extension (RFC 9728 §2 allows others): the application the terminal client signs in with.
        ...(name === "api" && config.AUTH0_CLI_CLIENT_ID ? { delegate_cli_client_id: config.AUTH0_CLI_CLIENT_ID } : {}),
      },
      { headers: { ...corsHeaders, "Cache-Control": "public, max-age=300" } },
    );
  });
}

export function OPTIONS() {
  return new Response(null, { status: 204, headers: corsHeaders });
}
