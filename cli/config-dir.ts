import { homedir } from "node:os";
import path from "node:path";

/** Where the CLI keeps its files: %APPDATA%\delegate on Windows, else $XDG_CONFIG_HOME/delegate or ~/.config/delegate. */
export function configDir(env: Readonly<Record<string, string | undefined>> = process.env, platform: NodeJS.Platform = process.platform): string {
  // The XDG specification ignores a relative XDG_CONFIG_HOME.
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const base = platform === "win32" && env.APPDATA ? env.APPDATA : xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), ".config");
  return path.join(base, "delegate");
}
