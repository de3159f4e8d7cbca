import pg from "pg";

/**
 * Runs one query against the e2e server's database (E2E_DATABASE_URL, set by
 * scripts/e2e.mjs), for specs that check what the server stored.
 */
export async function queryDb<Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<Row[]> {
  const connectionString = process.env.E2E_DATABASE_URL;
  if (!connectionString) throw new Error("E2E_DATABASE_URL is not set: run through `npm run test:e2e` (scripts/e2e.mjs)");
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
