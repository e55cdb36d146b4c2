import { z } from "zod";

/** What buy_product returns once the shop accepted the order (lib/ai/tools/buy-product.ts). */
export const orderReceiptOutput = z.object({
  orderNumber: z.string(),
  product: z.string(),
  quantity: z.number(),
  total: z.string(),
  status: z.string(),
});

/** A placed order as a receipt. */
export function OrderReceipt({ output }: { output: z.infer<typeof orderReceiptOutput> }) {
  const rows = [
    ["Product", output.product],
    ["Quantity", String(output.quantity)],
    ["Total", output.total],
    ["Order number", output.orderNumber],
    ["Status", output.status],
  ] as const;
  return (
    <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-md border border-dashed border-zinc-300 bg-white px-3 py-2">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-zinc-600">{label}</dt>
          <dd className={`min-w-0 wrap-anywhere ${label === "Total" ? "font-semibold text-zinc-900" : "text-zinc-800"}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
