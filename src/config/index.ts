export * from './schema'
export * from './loadConfig'
export * from './databaseTarget'
export * from './apiListenAddress'
