CREATE TABLE "people" (
	"sub" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"user_id" text NOT NULL,
	"action" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "rate_limits_user_id_action_window_start_pk" PRIMARY KEY("user_id","action","window_start")
);
--> statement-breakpoint
DROP INDEX "tool_interrupts_chat_idx";--> statement-breakpoint
ALTER TABLE "async_authorizations" ADD COLUMN "chat_id" uuid;--> statement-breakpoint
-- Existing requests belong to the chat whose interrupt they were started for; any other row is unreachable.
UPDATE "async_authorizations" a SET "chat_id" = t."chat_id" FROM "tool_interrupts" t WHERE t."tool_call_id" = a."tool_call_id";--> statement-breakpoint
DELETE FROM "async_authorizations" WHERE "chat_id" IS NULL;--> statement-breakpoint
ALTER TABLE "async_authorizations" ALTER COLUMN "chat_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "async_authorizations" DROP CONSTRAINT "async_authorizations_pkey";--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_pkey";--> statement-breakpoint
ALTER TABLE "tool_interrupts" DROP CONSTRAINT "tool_interrupts_pkey";--> statement-breakpoint
ALTER TABLE "async_authorizations" ADD CONSTRAINT "async_authorizations_chat_id_tool_call_id_pk" PRIMARY KEY("chat_id","tool_call_id");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_chat_id_id_pk" PRIMARY KEY("chat_id","id");--> statement-breakpoint
ALTER TABLE "tool_interrupts" ADD CONSTRAINT "tool_interrupts_chat_id_tool_call_id_pk" PRIMARY KEY("chat_id","tool_call_id");--> statement-breakpoint
ALTER TABLE "tool_interrupts" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "async_authorizations" ADD CONSTRAINT "async_authorizations_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "async_authorizations_user_idx" ON "async_authorizations" USING btree ("user_id","created_at");
