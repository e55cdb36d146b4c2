"use client";

import { createContext, useContext } from "react";
import { toolTitle } from "@/lib/chat/tool-summary";

/** The tools' declared titles by name, given once by the server layout (the declarations are server-only). */
const ToolTitles = createContext<Readonly<Record<string, string>>>({});

export function ToolTitlesProvider({ titles, children }: { titles: Readonly<Record<string, string>>; children: React.ReactNode }) {
  return <ToolTitles.Provider value={titles}>{children}</ToolTitles.Provider>;
}

export const useToolTitle = (name: string) => toolTitle(name, useContext(ToolTitles));
