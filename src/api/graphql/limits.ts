import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql'

/**
 * Limits on the shape of a query, checked before anything runs (a rejected query costs no
 * database work and answers 400):
 * - depth: nesting of fields, fragments expanded;
 * - width: fields selected in all (aliases count: `a: token … b: token …` is two fields);
 * - list fields (those taking `first` or `ids`): each one is a paginated read of up to a page.
 * Introspection fields (`__schema`, `__type`, `__typename`) are exempt so tools keep working.
 * Counting stops as soon as a limit is passed, so fragment bombs cannot make the check itself slow.
 */
export interface QueryLimits {
  maxDepth: number
  maxFields: number
  maxListFields: number
}

interface Tally {
  fields: number
  listFields: number
  depth: number
  over: boolean
}

export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>()
    for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
    return {
      OperationDefinition(node) {
        const tally: Tally = { fields: 0, listFields: 0, depth: 0, over: false }
        walk(node.selectionSet, 1, tally, limits, fragments, new Set())
        const problems: [string, string][] = []
        if (tally.depth > limits.maxDepth) problems.push(['QUERY_TOO_DEEP', `query is nested more than ${limits.maxDepth} levels deep`])
        if (tally.fields > limits.maxFields) problems.push(['QUERY_TOO_WIDE', `query selects more than ${limits.maxFields} fields`])
        if (tally.listFields > limits.maxListFields) problems.push(['QUERY_TOO_WIDE', `query asks for more than ${limits.maxListFields} paginated lists`])
        for (const [code, message] of problems) context.reportError(new GraphQLError(message, { nodes: [node], extensions: { code } }))
      },
    }
  }
}

function walk(set: SelectionSetNode, depth: number, t: Tally, limits: QueryLimits, fragments: Map<string, FragmentDefinitionNode>, visiting: Set<string>): void {
  for (const sel of set.selections) {
    if (t.over) return
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue
      t.fields++
      t.depth = Math.max(t.depth, depth)
      if (sel.arguments?.some((a) => a.name.value === 'first' || a.name.value === 'ids') || sel.name.value === 'tokens' || sel.name.value === 'contracts') t.listFields++
      t.over = t.fields > limits.maxFields || t.depth > limits.maxDepth || t.listFields > limits.maxListFields
      if (sel.selectionSet) walk(sel.selectionSet, depth + 1, t, limits, fragments, visiting)
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      walk(sel.selectionSet, depth, t, limits, fragments, visiting)
    } else {
      const name = sel.name.value
      const fragment = fragments.get(name)
      if (!fragment || visiting.has(name)) continue // unknown or cyclic: graphql's own rules report it
      visiting.add(name)
      walk(fragment.selectionSet, depth, t, limits, fragments, visiting)
      visiting.delete(name)
    }
  }
}
