-- AlterTable
ALTER TABLE "PersonalAccessToken" ADD COLUMN     "expiryNoticeDays" INTEGER,
ADD COLUMN     "familyId" TEXT,
ADD COLUMN     "lastUsedIp" TEXT,
ADD COLUMN     "lastUsedUserAgent" TEXT,
ADD COLUMN     "replacedById" TEXT;

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "actorTokenId" TEXT,
    "tokenId" TEXT,
    "ip" TEXT,
    "userAgent" TEXT,
    "details" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditEvent_userId_createdAt_idx" ON "AuditEvent"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_tokenId_createdAt_idx" ON "AuditEvent"("tokenId", "createdAt");

-- CreateIndex
CREATE INDEX "PersonalAccessToken_familyId_idx" ON "PersonalAccessToken"("familyId");

-- CreateIndex
CREATE INDEX "PersonalAccessToken_expiresAt_idx" ON "PersonalAccessToken"("expiresAt");


-- Backfill: a token created before rotation families is the first of its own family.
UPDATE "PersonalAccessToken" SET "familyId" = "id" WHERE "familyId" IS NULL;
