/** The drills, in the order `npm run drill` runs them, with their settings per profile. */
import { ABUSE_PROFILES, runAbuseDrill } from './abuse'
import type { DrillContext, Profile } from './context'
import { CRASH_PROFILES, runCrashDrill } from './crash'
import { DB_RESTART_PROFILES, runDbRestartDrill } from './dbRestart'
import { FUZZ_PROFILES, runFuzzDrill } from './fuzz'
import { HOSTILE_PROFILES, runHostileDrill } from './hostile'
import { REORG_PROFILES, runReorgDrill } from './reorgs'
import type { DrillResult } from './report'

export type DrillName = 'crash' | 'db-restart' | 'reorgs' | 'hostile' | 'fuzz' | 'abuse'

export interface Drill {
  name: DrillName
  run(ctx: DrillContext, profile: Profile): Promise<DrillResult>
}

export const DRILLS: Drill[] = [
  { name: 'crash', run: (ctx, p) => runCrashDrill(ctx, CRASH_PROFILES[p]) },
  { name: 'db-restart', run: (ctx, p) => runDbRestartDrill(ctx, DB_RESTART_PROFILES[p]) },
  { name: 'reorgs', run: (ctx, p) => runReorgDrill(ctx, REORG_PROFILES[p]) },
  { name: 'hostile', run: (ctx, p) => runHostileDrill(ctx, HOSTILE_PROFILES[p]) },
  // after reorgs: it reads the reorg drill's database when there is one
  { name: 'fuzz', run: (ctx, p) => runFuzzDrill(ctx, FUZZ_PROFILES[p]) },
  { name: 'abuse', run: (ctx, p) => runAbuseDrill(ctx, ABUSE_PROFILES[p]) },
]
