-- Listings are swept by when they were stored, not by when FGA was asked (db/schema.ts, viewable_listings).
DROP INDEX "viewable_listings_listed_idx";--> statement-breakpoint
ALTER TABLE "viewable_listings" ADD COLUMN "stored_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "viewable_listings_stored_idx" ON "viewable_listings" USING btree ("stored_at");