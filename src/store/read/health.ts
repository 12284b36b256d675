import type { ReadDb } from './readDb'

export interface DatabaseHealth {
  reachable: boolean
  /** Migrations known to this build that the database has not applied. */
  pendingMigrations: string[]
  error?: string
}

/**
 * Reachability and schema version in one statement (TypeORM's `migrations` table). A database
 * that does not answer within `timeoutMs` counts as unreachable (a pool waiting for a
 * connection would otherwise hang the check).
 */
export async function databaseHealth(db: ReadDb, expectedMigrations: readonly string[], timeoutMs = 3000): Promise<DatabaseHealth> {
  let timer: NodeJS.Timeout | undefined
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    const rows = await Promise.race([db.query<{ name: string }>(`SELECT name FROM migrations`), timeout])
    const applied = new Set(rows.map((r) => r.name))
    return { reachable: true, pendingMigrations: expectedMigrations.filter((m) => !applied.has(m)) }
  } catch (err) {
    const code = (err as { code?: string }).code
    // 42P01: the migrations table itself is missing: reachable, nothing applied.
    if (code === '42P01') return { reachable: true, pendingMigrations: [...expectedMigrations] }
    return { reachable: false, pendingMigrations: [], error: (err as Error).message }
  } finally {
    clearTimeout(timer)
  }
}
