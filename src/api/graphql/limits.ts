import type { ApolloServerPlugin } from '@apollo/server'
import { ApolloArmor } from '@escape.tech/graphql-armor'
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types'
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth'
import { GraphQLError, type ValidationRule } from 'graphql'
import type { Config } from '../../config'

/**
 * Limits on the shape of every GraphQL document, introspection included, checked before anything
 * runs (a refused document costs no database work and answers 400 in GraphQL's error shape):
 *
 * - tokens (GRAPHQL_MAX_TOKENS): counted by graphql-js while it parses, which stops at the
 *   limit, so 10,000 aliases or a megabyte of fields are refused without building their AST;
 * - depth (GRAPHQL_MAX_DEPTH): nesting of data fields, fragments flattened (`{ token { contract
 *   { name } } }` is 3). An `__schema` subtree is measured by its own, larger limit
 *   (GRAPHQL_MAX_INTROSPECTION_DEPTH: the standard introspection query nests `ofType` ~10 deep),
 *   so no subtree escapes a depth limit;
 * - aliases (GRAPHQL_MAX_ALIASES) and directives (GRAPHQL_MAX_DIRECTIVES);
 * - estimated cost (GRAPHQL_MAX_COST): graphql-armor's cost model (object 2, scalar 1, ×1.5 per
 *   level, × `first` on lists), introspection counted like any field.
 *
 * The rules are graphql-armor's (@escape.tech/graphql-armor), each reporting its own code
 * (QUERY_TOO_DEEP, QUERY_TOO_COMPLEX, TOO_MANY_ALIASES, TOO_MANY_DIRECTIVES) instead of armor's
 * generic BAD_USER_INPUT. Armor's token plugin is not used: it throws from Apollo 5's
 * parsingDidStart hook, which Apollo answers as a 500; graphql-js's own `maxTokens` parse option
 * does the same count and fails as a parse error (400, GRAPHQL_PARSE_FAILED).
 */
export interface GraphqlLimits {
  plugins: ApolloServerPlugin[]
  validationRules: ValidationRule[]
  parseOptions: { maxTokens: number }
}

type LimitConfig = Pick<
  Config,
  'GRAPHQL_MAX_DEPTH' | 'GRAPHQL_MAX_INTROSPECTION_DEPTH' | 'GRAPHQL_MAX_ALIASES' | 'GRAPHQL_MAX_DIRECTIVES' | 'GRAPHQL_MAX_TOKENS' | 'GRAPHQL_MAX_COST' | 'GRAPHQL_INTROSPECTION'
>

/**
 * A document refused by a limit. Apollo re-labels every validation error GRAPHQL_VALIDATION_FAILED;
 * the error formatter (plugin.ts) puts this code back.
 */
export class DocumentLimitError extends GraphQLError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message, { extensions: { code } })
    this.name = 'DocumentLimitError'
  }
}

/** Reports armor's refusal under our code, without armor's misleading "Syntax Error:" prefix. */
function refuse(code: string): { onReject: GraphQLArmorRejectCallback[]; propagateOnRejection: false } {
  const report: GraphQLArmorRejectCallback = (ctx, err) => {
    ctx?.reportError(new DocumentLimitError(err.message.replace(/^Syntax Error: /, ''), code))
  }
  return { onReject: [report], propagateOnRejection: false }
}

export function graphqlLimits(config: LimitConfig): GraphqlLimits {
  const armor = new ApolloArmor({
    maxTokens: { enabled: false },
    // Suggestions name fields; with introspection off they would leak the schema piece by piece.
    blockFieldSuggestion: { enabled: !config.GRAPHQL_INTROSPECTION },
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH, flattenFragments: true, ignoreIntrospection: true, ...refuse('QUERY_TOO_DEEP') },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES, allowList: [], ...refuse('TOO_MANY_ALIASES') },
    maxDirectives: { n: config.GRAPHQL_MAX_DIRECTIVES, ...refuse('TOO_MANY_DIRECTIVES') },
    costLimit: { maxCost: config.GRAPHQL_MAX_COST, ignoreIntrospection: false, ...refuse('QUERY_TOO_COMPLEX') },
  })
  const { plugins, validationRules } = armor.protect()
  const introspectionDepth = maxDepthRule({
    n: Math.max(config.GRAPHQL_MAX_DEPTH, config.GRAPHQL_MAX_INTROSPECTION_DEPTH),
    flattenFragments: true,
    ignoreIntrospection: false,
    ...refuse('QUERY_TOO_DEEP'),
  })
  return {
    plugins: plugins as ApolloServerPlugin[],
    validationRules: [...(validationRules as ValidationRule[]), introspectionDepth as unknown as ValidationRule],
    parseOptions: { maxTokens: config.GRAPHQL_MAX_TOKENS },
  }
}
