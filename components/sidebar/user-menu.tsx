"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { parseTheme, THEME_COOKIE, THEME_COOKIE_MAX_AGE, THEMES, type Theme } from "../theme";

const themeLabels: Record<Theme, string> = { light: "Light", dark: "Dark", system: "System" };

/** Applies the choice at once (the class on <html> selects the palette) and keeps it for the server's next render. */
function applyTheme(theme: Theme) {
  document.documentElement.classList.remove(...THEMES);
  document.documentElement.classList.add(theme);
  document.cookie = `${THEME_COOKIE}=${theme}; path=/; max-age=${THEME_COOKIE_MAX_AGE}; samesite=lax`;
}

export function UserMenu({ name, email, theme: initialTheme }: { name: string; email: string | null; theme: Theme }) {
  const [theme, setTheme] = useState(initialTheme);
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" className="w-full justify-start truncate">
          <span aria-hidden className="flex size-6 shrink-0 items-center justify-center rounded-full bg-indigo-600 text-xs text-white">
            {name.slice(0, 1).toUpperCase()}
          </span>
          <span className="truncate">{name}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent side="top" align="start" className="w-(--radix-dropdown-menu-trigger-width) min-w-56">
        {email && <DropdownMenuLabel className="truncate font-normal">{email}</DropdownMenuLabel>}
        <DropdownMenuSeparator />
        <DropdownMenuLabel>Theme</DropdownMenuLabel>
        <DropdownMenuRadioGroup
          value={theme}
          onValueChange={(value) => {
            const next = parseTheme(value);
            setTheme(next);
            applyTheme(next);
          }}
        >
          {THEMES.map((option) => (
            <DropdownMenuRadioItem key={option} value={option}>
              {themeLabels[option]}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          {/* A full navigation: logging out goes through the auth routes, not a page the client router knows. */}
          <a href="/auth/logout">Log out</a>
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
