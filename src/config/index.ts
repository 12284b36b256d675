export * from './schema'
export * from './loadConfig'
