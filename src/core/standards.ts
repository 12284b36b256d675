/** Token standards, one vocabulary across chains. */
export const TOKEN_STANDARDS = ['ERC721', 'ERC1155', 'ERC20', 'SIP009', 'SIP010', 'SIP013'] as const
export type TokenStandardName = (typeof TOKEN_STANDARDS)[number]

export function isFungible(standard: TokenStandardName): boolean {
  return standard === 'ERC20' || standard === 'SIP010'
}

export function isStacksStandard(standard: TokenStandardName): boolean {
  return standard.startsWith('SIP')
}

/** How `{id}` is substituted in URIs: ERC-1155 uses 64 hex digits, SIP-016 uses decimal. */
export function idSubstitution(standard: TokenStandardName | undefined): 'hex64' | 'decimal' | 'none' {
  if (standard === 'ERC1155') return 'hex64'
  if (standard && isStacksStandard(standard)) return 'decimal'
  return 'none'
}
