import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "Delegate",
  description: "A personal AI assistant that acts only with the authority you delegate.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="bg-zinc-50 font-sans text-zinc-900 antialiased">{children}</body>
    </html>
  );
}
