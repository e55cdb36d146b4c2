CREATE TABLE "chat_stream_chunks" (
	"stream_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"chunk" jsonb NOT NULL,
	CONSTRAINT "chat_stream_chunks_stream_id_sequence_pk" PRIMARY KEY("stream_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "chat_streams" (
	"id" uuid PRIMARY KEY NOT NULL,
	"chat_id" uuid NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stop_requested_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "chat_stream_chunks" ADD CONSTRAINT "chat_stream_chunks_stream_id_chat_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."chat_streams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_streams" ADD CONSTRAINT "chat_streams_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chat_streams_chat_started_idx" ON "chat_streams" USING btree ("chat_id","started_at");--> statement-breakpoint
CREATE INDEX "chat_streams_started_idx" ON "chat_streams" USING btree ("started_at");