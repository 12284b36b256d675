export * from './compile'
export * from './hardhatNode'
export * from './chainDriver'
export * from './localChain'
