-- Admin console (S8): user search, filters and keyset pagination that stay on
-- indexes at 100k users. Only "User_createdAt_id_idx" can be written in
-- prisma/schema.prisma: the others (operator classes, expressions, partial
-- indexes) live here only, and are named in the comments in the schema.

-- Sort orders: created (both directions) and last sign-in, each with the id
-- as the tie-breaker the keyset cursor names. "Never signed in" sorts last
-- (as -infinity), so the cursor key is never NULL.
CREATE INDEX "User_createdAt_id_idx" ON "User"("createdAt", "id");
CREATE INDEX "User_lastSignInAt_id_idx" ON "User"((COALESCE("lastSignInAt", '-infinity'::timestamp)), "id");

-- Filters that pick out few users (banned, MFA on) get their own small copy of
-- the created order, so a filtered page reads only matching rows.
CREATE INDEX "User_banned_createdAt_id_idx" ON "User"("createdAt", "id") WHERE "banned";
CREATE INDEX "User_mfaEnabled_createdAt_id_idx" ON "User"("createdAt", "id") WHERE "mfaEnabled";

-- Case-insensitive prefix search ("ali" finds alice@..., "Alice Smith", "alister").
-- text_pattern_ops: a LIKE prefix match uses the index whatever the collation of the database.
CREATE INDEX "EmailAddress_emailNormalized_pattern_idx" ON "EmailAddress"("emailNormalized" text_pattern_ops);
CREATE INDEX "User_fullName_pattern_idx" ON "User"((lower(btrim(COALESCE("firstName", '') || ' ' || COALESCE("lastName", '')))) text_pattern_ops);
CREATE INDEX "User_lastName_pattern_idx" ON "User"((lower("lastName")) text_pattern_ops);
CREATE INDEX "User_username_pattern_idx" ON "User"((lower("username")) text_pattern_ops);
CREATE INDEX "User_id_pattern_idx" ON "User"("id" text_pattern_ops);
