export * from './errors'
export * from './standards'
export * from './ids'
export * from './jobs'
