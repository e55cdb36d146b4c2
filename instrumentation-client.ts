import { z } from "zod";

// Runs in the browser before the app's own code. The Content-Security-Policy has no 'unsafe-eval'; zod compiles
// fast object parsers with `new Function` unless told not to, and it probes for that the first time any module
// builds an object schema (the AI SDK's message schemas, the tool result views) — a probe the browser reports as a
// violation. The setting is read when a schema is built, hence here, before any module builds one.
z.config({ jitless: true });
