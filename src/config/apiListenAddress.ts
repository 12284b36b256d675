import type { Config } from './loadConfig'

export interface ApiListenAddress {
  host: string
  port: number
}

/**
 * Where the API listens. The port: GQL_PORT when set (SQD Cloud routes its traffic there), else
 * API_PORT. The host: API_HOST when set; else 0.0.0.0 when GQL_PORT or a DB_* variable is set (a
 * platform container, where the router reaches the process from outside), else 127.0.0.1 (a
 * developer machine: nothing is exposed unless asked for).
 */
export function apiListenAddress(config: Config): ApiListenAddress {
  const port = config.GQL_PORT ?? config.API_PORT
  if (config.API_HOST) return { host: config.API_HOST, port }
  return { host: inPlatformContainer(config) ? '0.0.0.0' : '127.0.0.1', port }
}

function inPlatformContainer(config: Config): boolean {
  const platform = [config.GQL_PORT, config.DB_URL, config.DB_HOST, config.DB_PORT, config.DB_NAME, config.DB_USER, config.DB_PASS]
  return platform.some((v) => v !== undefined)
}
