/** The metadata fetcher: the only outbound HTTP to metadata hosts, and the decoding of what it gets. */
export * from './ipPolicy'
export * from './safeFetch'
export * from './decodeDocument'
