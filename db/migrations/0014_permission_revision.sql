-- Moved on by Delegate after each change of who may view a document (db/queries/permission-revision.ts).
CREATE SEQUENCE "public"."permission_revision" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;
