import pino, { Logger } from 'pino'

export type { Logger }

/**
 * JSON logs with structured fields (chain, block, job, host). Components take a child logger
 * (`logger.child({ component: 'worker' })`) rather than creating their own.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    destination,
  )
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
