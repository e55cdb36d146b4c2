import { z } from "zod";

/** Only web addresses become links: a repository listing is someone else's text, and may say javascript:. */
const webAddress = z.url({ protocol: /^https?$/ });

/** What list_github_repositories returns (lib/ai/tools/list-github-repositories.ts). */
export const repositoriesOutput = z.object({
  repositories: z.array(
    z.object({
      name: z.string(),
      private: z.boolean(),
      description: z.string().nullable(),
      language: z.string().nullable(),
      stars: z.number(),
      url: webAddress,
      lastPush: z.string().nullable(),
    }),
  ),
  note: z.string().optional(),
});

/** Repositories as links that show where they go, opened without opener or referrer. */
export function Repositories({ output: { repositories, note } }: { output: z.infer<typeof repositoriesOutput> }) {
  return (
    <div className="mt-2">
      {repositories.length === 0 ? (
        <p className="text-zinc-700">No repositories.</p>
      ) : (
        <ul aria-label="Repositories" className="divide-y divide-zinc-200">
          {repositories.map((repository) => (
            <li key={repository.url} className="py-1.5 wrap-anywhere">
              <div className="flex flex-wrap items-baseline gap-x-2">
                <a href={repository.url} target="_blank" rel="noopener noreferrer" className="font-medium text-indigo-700 underline">
                  {repository.name}
                </a>
                {repository.private && <span className="rounded border border-zinc-300 px-1 text-xs text-zinc-600">Private</span>}
                {repository.language && <span className="text-xs text-zinc-600">{repository.language}</span>}
                <span className="text-xs text-zinc-600">{repository.stars === 1 ? "1 star" : `${repository.stars} stars`}</span>
              </div>
              <div className="break-all text-xs text-zinc-500">{repository.url}</div>
              {repository.description && <div className="text-zinc-700">{repository.description}</div>}
            </li>
          ))}
        </ul>
      )}
      {note && <p className="mt-1 text-xs text-amber-900">{note}</p>}
    </div>
  );
}
