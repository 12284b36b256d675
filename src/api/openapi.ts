import fastifySwagger, { type SwaggerTransform } from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { createJsonSchemaTransform } from 'fastify-type-provider-zod'
import { z } from 'zod'

/**
 * OpenAPI 3 document of the REST surfaces, collected from the route schemas (so it cannot drift
 * from what is served): `/openapi.json`, and an interactive page at `/docs`. Must be registered
 * before the routes it documents.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'token-metadata-squid REST API',
        version,
        description:
          'Multi-chain token metadata. Wire-compatible surfaces: the Hiro Token Metadata API (Stacks, under /metadata/v1 and /metadata) and Sequence Metadata (webrpc, under /rpc/Metadata). GraphQL is served at /graphql.',
      },
      tags: [
        { name: 'Hiro Token Metadata API', description: 'Stacks SIP-009 / SIP-010 / SIP-013 metadata, as api.hiro.so serves it' },
        { name: 'Sequence Metadata (webrpc)', description: 'EVM token metadata, as metadata.sequence.app serves it' },
        { name: 'Status', description: 'Health and indexer status' },
      ],
    },
    transform: (doc) => {
      // Hiro's own document names its status route with the trailing slash; both forms are served.
      const url = doc.url === '/metadata/v1' ? '/metadata/v1/' : doc.url
      return { schema: withZodPartsAsJsonSchema(doc), url }
    },
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}

const REQUEST_PARTS = ['body', 'querystring', 'params', 'headers'] as const
const zodToOpenApi = createJsonSchemaTransform({ skipList: [] })

/**
 * A route's schema for the document: its zod request parts (the shapes that also validate it)
 * as JSON Schema of what the client sends; its JSON Schema parts (responses, the Hiro surface)
 * as they are.
 */
function withZodPartsAsJsonSchema(doc: Parameters<SwaggerTransform>[0]): ReturnType<SwaggerTransform>['schema'] {
  const { schema } = doc
  if (!schema || schema.hide) return schema
  const parts = REQUEST_PARTS.filter((part) => schema[part] instanceof z.ZodType)
  if (parts.length === 0) return schema
  const converted = zodToOpenApi({ ...doc, schema: Object.fromEntries(parts.map((part) => [part, schema[part]])) }).schema
  return { ...schema, ...converted }
}
