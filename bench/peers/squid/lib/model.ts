// The plain squid's entity, written as squid-typeorm-codegen writes one from schema.graphql
// (`type Token @entity`). It sits at lib/model because TypeormDatabase loads the model from
// `<projectDir>/lib/model` (@subsquid/typeorm-config), and the compiled squid is that projectDir.
import { Entity as Entity_, PrimaryColumn as PrimaryColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, Index as Index_ } from '@subsquid/typeorm-store'

@Entity_()
export class Token {
  constructor(props?: Partial<Token>) {
    Object.assign(this, props)
  }

  /** <chain>:<contract>:<tokenId decimal>, as our token rows */
  @PrimaryColumn_()
  id!: string

  @Index_()
  @StringColumn_({ nullable: false })
  contract!: string

  @BigIntColumn_({ nullable: false })
  tokenId!: bigint

  @Index_()
  @StringColumn_({ nullable: false })
  owner!: string

  @IntColumn_({ nullable: false })
  mintBlock!: number

  @IntColumn_({ nullable: false })
  updatedBlock!: number
}
