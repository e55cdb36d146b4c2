-- Users' listings of viewable documents, kept for their next searches (db/queries/viewable-listings.ts).
CREATE TABLE "viewable_listing_documents" (
	"listing_id" bigint NOT NULL,
	"document_id" uuid NOT NULL,
	CONSTRAINT "viewable_listing_documents_listing_id_document_id_pk" PRIMARY KEY("listing_id","document_id")
);
--> statement-breakpoint
CREATE TABLE "viewable_listings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "viewable_listings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"revision" bigint NOT NULL,
	"listed_at" timestamp with time zone NOT NULL,
	"document_count" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "viewable_listing_documents" ADD CONSTRAINT "viewable_listing_documents_listing_id_viewable_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."viewable_listings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "viewable_listings_user_idx" ON "viewable_listings" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "viewable_listings_listed_idx" ON "viewable_listings" USING btree ("listed_at");