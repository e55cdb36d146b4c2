import { cn } from "./cn";

const tones = {
  error: "border-red-200 bg-red-50 text-red-800",
  success: "border-green-200 bg-green-50 text-green-900",
};

/**
 * What went wrong or what just happened, in a tinted box. An error interrupts the screen reader (role "alert"),
 * a success waits its turn (role "status").
 */
export function Alert({ tone = "error", className, ...props }: React.ComponentProps<"p"> & { tone?: keyof typeof tones }) {
  return (
    <p
      role={tone === "error" ? "alert" : "status"}
      className={cn("rounded-md border px-3 py-2 text-sm break-words", tones[tone], className)}
      {...props}
    />
  );
}
