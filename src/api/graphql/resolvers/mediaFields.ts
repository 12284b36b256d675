import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql'
import { displayedImage } from '../../media/cachedImage'
import type { GraphQLContext } from '../context'
import { ContractType } from '../types/contract'
import { CachedImageType } from '../types/media'
import { TokenType } from '../types/token'

const IMAGE_DOC = "The document's image (its image field, else image_data) as cached; null when the document names none"

@Resolver(() => TokenType)
export class TokenMediaFields {
  @FieldResolver(() => CachedImageType, { nullable: true, description: IMAGE_DOC })
  async image(@Root() token: TokenType, @Ctx() ctx: GraphQLContext): Promise<CachedImageType | null> {
    return displayedImage(await ctx.loaders.media.load(token.id), ctx.api.media)
  }
}

@Resolver(() => ContractType)
export class ContractMediaFields {
  @FieldResolver(() => CachedImageType, { nullable: true, description: IMAGE_DOC })
  async image(@Root() contract: ContractType, @Ctx() ctx: GraphQLContext): Promise<CachedImageType | null> {
    return displayedImage(await ctx.loaders.media.load(contract.id), ctx.api.media)
  }
}
