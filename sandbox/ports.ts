/** Default loopback ports of the sandbox services; each can be moved with its SANDBOX_*_PORT variable. */
export const sandboxPorts = {
  identity: Number(process.env.SANDBOX_IDENTITY_PORT ?? 4000),
  fga: Number(process.env.SANDBOX_FGA_PORT ?? 4001),
  model: Number(process.env.SANDBOX_MODEL_PORT ?? 4002),
  providers: Number(process.env.SANDBOX_PROVIDERS_PORT ?? 4003),
  shop: Number(process.env.SANDBOX_SHOP_PORT ?? 4004),
  postgres: Number(process.env.SANDBOX_POSTGRES_PORT ?? 5433),
} as const;
