import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypeScript from "eslint-config-next/typescript";

// "@/sandbox/…", "./sandbox/…", "../../sandbox/…": a module of the sandbox, by alias or relative path.
const sandboxModule = "^(@/|(\\.{1,2}/)+)sandbox(/|$)";
// esquery's regex literals cannot hold a "/", so selectors spell it \x2F.
const sandboxModuleInSelector = sandboxModule.replaceAll("/", "\\x2F");
const sandboxMessage = "App code must not import the sandbox: it is configured by environment variables only.";

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
    files: ["app/**", "components/**", "lib/**", "db/**", "proxy.ts", "instrumentation.ts"],
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
  { ignores: [".next/**", ".tools/**", ".data/**", "node_modules/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "tests/fixtures/**"] },
];
export default config;
