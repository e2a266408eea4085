-- AlterTable
ALTER TABLE "CampaignAttachment" ADD COLUMN     "position" INTEGER NOT NULL DEFAULT 0;
