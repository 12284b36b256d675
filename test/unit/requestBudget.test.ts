import { describe, expect, it } from 'vitest'
import { RequestBudget } from '../../src/lib/requestBudget'

/** A clock that moves only when the budget sleeps, so the arithmetic is checked exactly. */
function virtualClock() {
  const clock = { now: 1_000_000, slept: [] as number[] }
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.slept.push(ms)
      clock.now += ms
    },
  }
}

describe('RequestBudget', () => {
  it("lets a burst of one second's worth through at once, then one request per 60/perMinute seconds", async () => {
    const v = virtualClock()
    const budget = new RequestBudget({ perMinute: 120, now: v.now, sleep: v.sleep })
    const start = v.clock.now
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      await budget.take()
      times.push(v.clock.now - start)
    }
    expect(times).toEqual([0, 0, 500, 1000, 1500])
    expect(budget.granted).toBe(5)
  })

  it('serves waiting callers in arrival order', async () => {
    const v = virtualClock()
    const budget = new RequestBudget({ perMinute: 60, now: v.now, sleep: v.sleep })
    const order: number[] = []
    await Promise.all([1, 2, 3].map((n) => budget.take().then(() => order.push(n))))
    expect(order).toEqual([1, 2, 3])
  })

  it('serves a waiting caller of lower priority first', async () => {
    const v = virtualClock()
    const budget = new RequestBudget({ perMinute: 60, now: v.now, sleep: v.sleep })
    await budget.take() // the burst of one
    const order: number[] = []
    await Promise.all([30, 10, 20].map((p) => budget.take(p).then(() => order.push(p))))
    expect(order).toEqual([10, 20, 30])
  })

  it('holds every request until a pause ends, then resumes at the steady rate', async () => {
    const v = virtualClock()
    const budget = new RequestBudget({ perMinute: 60, now: v.now, sleep: v.sleep })
    const start = v.clock.now
    await budget.take()
    budget.pauseFor(30_000)
    expect(budget.pausedUntil).toBe(start + 30_000)
    await budget.take()
    expect(v.clock.now - start).toBe(31_000)
  })

  it('an unlimited budget never waits except for a pause', async () => {
    const v = virtualClock()
    const budget = new RequestBudget({ perMinute: 0, now: v.now, sleep: v.sleep })
    for (let i = 0; i < 1000; i++) await budget.take()
    expect(v.clock.slept).toEqual([])
    budget.pauseFor(2_000)
    budget.pauseFor(500) // a shorter pause does not cut the longer one
    await budget.take()
    expect(v.clock.slept).toEqual([2_000])
  })

  it('refuses a negative rate', () => {
    expect(() => new RequestBudget({ perMinute: -1 })).toThrow('not a request budget: -1 a minute')
  })
})
