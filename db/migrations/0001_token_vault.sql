CREATE TABLE "connection_tokens" (
	"user_id" text NOT NULL,
	"connection" text NOT NULL,
	"encrypted_token" text NOT NULL,
	"scopes" text[] NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "connection_tokens_user_id_connection_pk" PRIMARY KEY("user_id","connection")
);
--> statement-breakpoint
CREATE TABLE "tool_interrupts" (
	"tool_call_id" text PRIMARY KEY NOT NULL,
	"chat_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"status" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tool_interrupts" ADD CONSTRAINT "tool_interrupts_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tool_interrupts_chat_idx" ON "tool_interrupts" USING btree ("chat_id");