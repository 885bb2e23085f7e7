/**
 * Writes prisma/<provider>/schema.prisma from the one source of the models, prisma/models.prisma,
 * so the SQLite and PostgreSQL schemas can never drift apart. Run with `npm run db:schemas`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const providers = ['sqlite', 'postgresql'] as const;
const prismaDir = fileURLToPath(new URL('../prisma/', import.meta.url));

/** The full schema text for one provider: generator and datasource blocks, then the shared models. */
export function schemaFor(provider: (typeof providers)[number]): string {
  const models = readFileSync(`${prismaDir}models.prisma`, 'utf8');
  return `// Reference schema for ${provider}. Written from prisma/models.prisma by \`npm run db:schemas\`;
// edit the models there, never here.

generator client {
  provider     = "prisma-client"
  output       = "../../generated/${provider}"
  engineType   = "client"
  moduleFormat = "esm"
}

datasource db {
  provider = "${provider}"
  url      = env("DATABASE_URL")
}

${models}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const provider of providers) {
    writeFileSync(`${prismaDir}${provider}/schema.prisma`, schemaFor(provider));
  }
}
