import { z } from "zod";

// The page's Content-Security-Policy has no 'unsafe-eval'. Zod compiles fast object parsers with `new Function`
// unless told not to, and merely probing for it makes the browser report a violation. The setting is read when a
// schema is built, so every schema here imports `z` from this module.
z.config({ jitless: true });

export { z };
