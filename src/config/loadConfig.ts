import { z } from 'zod'
import { ENV, EnvName } from './schema'

type Parsed<K extends EnvName> = z.output<(typeof ENV)[K]['schema']>
export type Config = Readonly<{ [K in EnvName]: Parsed<K> }>

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Parses the environment once. Every bad variable is reported (not just the first), each with
 * its name, the value given and what is expected. The result is deeply frozen.
 */
export function loadConfig(env: Record<string, string | undefined>, overrides: Partial<Record<EnvName, string>> = {}): Config {
  const out: Record<string, unknown> = {}
  const problems: string[] = []
  for (const name of Object.keys(ENV) as EnvName[]) {
    const spec = ENV[name] as { schema: z.ZodType; default?: string }
    const given = overrides[name] ?? env[name]
    const raw = given === undefined || given === '' ? spec.default : given
    const result = spec.schema.safeParse(raw)
    if (result.success) {
      out[name] = result.data
    } else {
      problems.push(describeProblem(name, given, result.error))
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return deepFreeze(out) as Config
}

function describeProblem(name: string, given: string | undefined, error: z.ZodError): string {
  const what = error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')
  const shown = given === undefined ? 'unset' : JSON.stringify(given.length > 80 ? given.slice(0, 80) + '…' : given)
  return `${name} (${shown}): ${what}`
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value as object)) deepFreeze(v)
  }
  return value
}

/** Markdown table of every variable, for the README. */
export function configTable(): string {
  const rows = Object.entries(ENV).map(
    ([name, spec]) => `| \`${name}\` | ${'default' in spec && spec.default !== undefined ? `\`${spec.default || '(empty)'}\`` : '(unset)'} | ${spec.doc} |`,
  )
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n')
}
