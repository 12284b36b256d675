import type { FastifySchemaCompiler } from 'fastify'
import { z } from 'zod'
import { clip } from '../validation'

/**
 * Request shapes are zod schemas, one per route part (docs/architecture.md §6): the same schema
 * validates the request (this compiler, set in each surface's plugin), gives the handler its typed
 * and coerced value, and is the OpenAPI description (src/api/openapi.ts).
 *
 * A refused request is answered with its first problem in the schema's field order (fields before
 * the checks that combine them), classified so that each surface renders it in its own error
 * shape and names the field as the caller wrote it (`tokenIDs[3]`, `nft_metadata[0].token_id`).
 */

/**
 * - body: the request part is not a JSON object at all;
 * - missing: a required field is absent, null or empty;
 * - type: a field has the wrong JSON type;
 * - invalid: a field has the right type and a value we refuse (format, range, size);
 * - unknown_chain: a chain this server does not index (Sequence ChainNotFound, zkEVM 404).
 */
export type ShapeProblemKind = 'body' | 'missing' | 'type' | 'invalid' | 'unknown_chain'

export interface ShapeProblem {
  kind: ShapeProblemKind
  /** The field as the caller wrote it; '' for the whole request part. */
  field: string
  message: string
}

/** A request that does not match its route's schema; each surface's error handler renders it. */
export class RequestShapeError extends Error {
  readonly statusCode = 400
  readonly code = 'FST_ERR_VALIDATION'

  constructor(readonly problem: ShapeProblem) {
    super(problem.message)
    this.name = 'RequestShapeError'
  }
}

/** What a custom check records on its issue (`params`): the kind, and its message once the field's name is known. */
interface ProblemParams {
  kind: ShapeProblemKind
  say: (field: string) => string
}

/** The issue a format's own check raises; its message is composed once the field's full path is known. */
export function shapeIssue(kind: ShapeProblemKind, say: (field: string) => string, path?: PropertyKey[]) {
  const params: ProblemParams = { kind, say }
  return { code: 'custom' as const, params, ...(path ? { path } : {}) }
}

/** Validates one request part against its zod schema; the parsed (coerced) value replaces the part. */
export const shapeValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const error = messageMap(httpPart ?? 'body')
  return (data: unknown) => {
    const result = schema.safeParse(data, { reportInput: true, error })
    if (result.success) return { value: result.data }
    return { error: new RequestShapeError(problemOf(result.error.issues[0], httpPart ?? 'body')) }
  }
}

function problemOf(issue: z.core.$ZodIssue, part: string): ShapeProblem {
  return { kind: kindOf(issue), field: issue.path.length ? fieldName(issue.path) : '', message: issue.message || `${partName(part)} is not valid` }
}

function kindOf(issue: z.core.$ZodIssue & { input?: unknown }): ShapeProblemKind {
  const params = issue.code === 'custom' ? (issue.params as Partial<ProblemParams> | undefined) : undefined
  if (params?.kind) return params.kind
  if (issue.code !== 'invalid_type') return 'invalid'
  if (issue.path.length === 0) return 'body'
  return isAbsentProperty(issue.path, issue.input) ? 'missing' : 'type'
}

/** A property left out or given as null (the hand-written clients' "absent"); a null list element is a wrong type. */
function isAbsentProperty(path: readonly PropertyKey[], input: unknown): boolean {
  return (input === undefined || input === null) && typeof path[path.length - 1] !== 'number'
}

/**
 * Messages for the issues whose schema gave none: "<field> is required", "<field> must be a
 * string, got number", "<field> has 51 items; at most 50 are allowed".
 */
function messageMap(part: string): z.core.$ZodErrorMap {
  return (issue) => {
    const field = issue.path?.length ? fieldName(issue.path) : partName(part)
    switch (issue.code) {
      case 'custom': {
        const p = issue.params as Partial<ProblemParams> | undefined
        return p?.say ? p.say(field) : `${field} is not valid`
      }
      case 'invalid_type':
        if (!issue.path?.length) return `${field} must be a JSON object${issue.input === null ? '' : `, got ${typeOf(issue.input)}`}`
        if (isAbsentProperty(issue.path, issue.input)) return `${field} is required`
        return `${field} must be ${article(issue.expected)}, got ${typeOf(issue.input)}`
      case 'too_big':
        return `${field} has ${sizeOf(issue.input)}; at most ${issue.maximum} are allowed`
      case 'too_small':
        return Number(issue.minimum) === 1 ? `${field} must not be empty` : `${field} must hold at least ${issue.minimum}`
      case 'invalid_value':
        return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
      default:
        return `${field} is not valid`
    }
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/

/** `a[0].b`, `contractTokenMap["0xAb…"][2]`: a path as a JavaScript reader would write it. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => {
      if (typeof k === 'number') return `[${k}]`
      const key = String(k)
      if (IDENTIFIER.test(key)) return i === 0 ? key : `.${key}`
      return `[${JSON.stringify(clip(key, 50))}]`
    })
    .join('')
}

const PART_NAMES: Record<string, string> = { body: 'request body', querystring: 'query string', params: 'path', headers: 'headers' }

function partName(part: string): string {
  return PART_NAMES[part] ?? part
}

/** JSON's name for a value's type (null and arrays apart from objects). */
export function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
}

function article(expected: string): string {
  const name = expected === 'record' ? 'object' : expected
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`
}

function sizeOf(input: unknown): string {
  if (Array.isArray(input)) return `${input.length} items`
  if (typeof input === 'string') return `${input.length} characters`
  return 'too many entries'
}
