import { NotFoundMessage } from "@/components/not-found-message";

export default function NotFound() {
  return (
    <div className="flex h-full">
      <NotFoundMessage title="Page not found" explanation="There is no page at this address." />
    </div>
  );
}
