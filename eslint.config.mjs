import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypeScript from "eslint-config-next/typescript";

// "@/sandbox/…", "./sandbox/…", "../../sandbox/…": a module of the sandbox, by alias or relative path.
const sandboxModule = "^(@/|(\\.{1,2}/)+)sandbox(/|$)";
// esquery's regex literals cannot hold a "/", so selectors spell it \x2F.
const sandboxModuleInSelector = sandboxModule.replaceAll("/", "\\x2F");
const sandboxMessage = "App code must not import the sandbox: it is configured by environment variables only.";

// The dependency direction (README, Architecture), top to bottom. A module imports only the tiers below its own, never
// a module of its own tier, so no two modules can import each other. Tests may exercise a layer through the ones above.
const layers = [
  { app: ["app", "proxy.ts", "instrumentation.ts"], "lib/doctor": ["lib/doctor"], cli: ["cli"] },
  { components: ["components"] },
  { "lib/mcp": ["lib/mcp"] },
  { "lib/chat": ["lib/chat"] },
  { "lib/ai": ["lib/ai"] },
  { "lib/rag": ["lib/rag"] },
  { "lib/auth": ["lib/auth"] },
  {
    "lib/audit": ["lib/audit"],
    "lib/fga": ["lib/fga"],
    "lib/integrations": ["lib/integrations"],
    "lib/model.ts": ["lib/model.ts"],
    "lib/rate-limit.ts": ["lib/rate-limit.ts"],
  },
  { db: ["db"] },
  // Leaves any layer may use; they import only each other.
  { "lib/config.ts, lib/errors.ts, lib/log.ts, lib/time.ts, lib/http": ["lib/config.ts", "lib/errors.ts", "lib/log.ts", "lib/time.ts", "lib/http"] },
];
const direction = layers.map((tier) => Object.keys(tier).join(", ")).join(" → ");
const layerZones = layers.flatMap((tier, level) =>
  Object.entries(tier).flatMap(([name, target]) =>
    layers.slice(0, level + 1).flatMap((above) =>
      Object.entries(above)
        .filter(([other]) => other !== name)
        .map(([other, from]) => ({ target, from, message: `${name} must not import ${other}: imports flow ${direction}.` })),
    ),
  ),
);

const config = [
  ...nextCoreWebVitals,
  ...nextTypeScript,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The sandbox runs beside the app in development, never inside it (scripts/check-bundle.ts checks the build).
    // Type-only imports are erased at compile time, so test support may share the sandbox's types.
    files: ["app/**", "components/**", "lib/**", "db/**", "cli/**", "proxy.ts", "instrumentation.ts"],
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ regex: sandboxModule, allowTypeImports: true, message: sandboxMessage }] },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: `ImportExpression[source.value=/${sandboxModuleInSelector}/]`, message: sandboxMessage },
        { selector: `CallExpression[callee.name="require"][arguments.0.value=/${sandboxModuleInSelector}/]`, message: sandboxMessage },
      ],
    },
  },
  {
    files: ["app/**", "components/**", "lib/**", "db/**", "cli/**", "proxy.ts", "instrumentation.ts"],
    // Packages cannot import the app back, so no-cycle need not parse them (it would, for its component graph).
    settings: { "import/ignore": ["node_modules"] },
    rules: {
      "import/no-cycle": ["error", { ignoreExternal: true }],
      "import/no-restricted-paths": ["error", { zones: layerZones }],
    },
  },
  {
    files: ["**/*.test.ts", "**/*.test.tsx"],
    rules: { "import/no-restricted-paths": "off" },
  },
  { ignores: [".next/**", ".tools/**", ".data/**", "node_modules/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "tests/fixtures/**"] },
];
export default config;
