CREATE TABLE "async_authorizations" (
	"tool_call_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"auth_req_id" text NOT NULL,
	"authorized_input" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"interval_seconds" integer NOT NULL,
	"next_poll_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
