ALTER TABLE "chats" ADD COLUMN IF NOT EXISTS "origin" text DEFAULT 'web' NOT NULL;--> statement-breakpoint
ALTER TABLE "chats" ADD COLUMN IF NOT EXISTS "client_id" text;--> statement-breakpoint
ALTER TABLE "tool_interrupts" ADD COLUMN IF NOT EXISTS "input" jsonb;