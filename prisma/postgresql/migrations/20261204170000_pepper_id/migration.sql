-- AlterTable
ALTER TABLE "PersonalAccessToken" ADD COLUMN     "pepperId" TEXT;

