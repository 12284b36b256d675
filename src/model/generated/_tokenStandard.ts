export enum TokenStandard {
    ERC721 = "ERC721",
    ERC1155 = "ERC1155",
    ERC20 = "ERC20",
    SIP009 = "SIP009",
    SIP010 = "SIP010",
    SIP013 = "SIP013",
}
