-- CreateIndex
CREATE INDEX "Suppression_organizationId_createdAt_id_idx" ON "Suppression"("organizationId", "createdAt", "id");
