import type { Metadata } from "next";
import { cookies } from "next/headers";
import { connection } from "next/server";
import { parseTheme, THEME_COOKIE } from "@/components/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: "Delegate",
  description: "A personal AI assistant that acts only with the authority you delegate.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: its scripts carry the nonce of that response's Content-Security-Policy
  // (proxy.ts), and a page built ahead of time would have scripts without one, which the policy blocks.
  await connection();
  // The class selects the palette in globals.css ("system" follows prefers-color-scheme), so the first paint is right.
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" className={theme}>
      <body className="bg-zinc-50 font-sans text-zinc-900 antialiased">{children}</body>
    </html>
  );
}
