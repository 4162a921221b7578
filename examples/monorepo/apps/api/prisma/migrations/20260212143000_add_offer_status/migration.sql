-- Expand only: the previous image keeps working while this migration is live.
ALTER TABLE "Offer" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'draft';
