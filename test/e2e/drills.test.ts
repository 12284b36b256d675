// Reliability drills, short versions (the full set: `npm run drill`). Each runs the real processes
// (lib/main) over its own embedded Postgres, hardhat node and Stacks simulator, injects faults,
// and checks that nothing was lost. Seeded: the same victims, moments, depths and fuzz cases every
// run; timeouts are generous because the machine is shared with the rest of `npm test`.
import { describe, it } from 'vitest'
import { CRASH_PROFILES, runCrashDrill } from '../drills/crash'
import { DB_RESTART_PROFILES, runDbRestartDrill } from '../drills/dbRestart'
import { FUZZ_PROFILES, runFuzzDrill } from '../drills/fuzz'
import { HOSTILE_PROFILES, runHostileDrill } from '../drills/hostile'
import { REORG_PROFILES, runReorgDrill } from '../drills/reorgs'
import { expectChecksPassed, useDrillContext } from '../helpers/drillContext'

const drills = useDrillContext()

describe.sequential('reliability drills', () => {
  it('crash: SIGKILLed processor, workers and API lose nothing and complete no job twice; the result equals a clean run', async () => {
    expectChecksPassed(await runCrashDrill(drills.ctx, CRASH_PROFILES.test), drills.progress)
  }, 400_000)

  it('database restart: workers and the API recover on their own, the processor is restarted, nothing is lost', async () => {
    expectChecksPassed(await runDbRestartDrill(drills.ctx, DB_RESTART_PROFILES.test), drills.progress)
  }, 400_000)

  it('reorgs and forks during live indexing leave both chains equal to a fresh index', async () => {
    expectChecksPassed(await runReorgDrill(drills.ctx, REORG_PROFILES.test), drills.progress)
  }, 400_000)

  it('hostile hosts: right errors, no private connection, bounded memory, healthy throughput kept', async () => {
    expectChecksPassed(await runHostileDrill(drills.ctx, HOSTILE_PROFILES.test), drills.progress)
  }, 400_000)

  it('API fuzz: malformed requests on every surface get no 5xx', async () => {
    expectChecksPassed(await runFuzzDrill(drills.ctx, FUZZ_PROFILES.test), drills.progress)
  }, 300_000)
})
