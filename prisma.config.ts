import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI (generate; migrate where its native engine is available).
// The app and tests connect through @prisma/adapter-pg with the URL from src/config.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/campaign_engine' },
});
