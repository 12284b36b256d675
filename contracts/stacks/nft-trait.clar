;; SIP-009 non-fungible token trait, deployed locally so simnet needs no mainnet requirement.
;; Mainnet equivalent: SP2PABAF9FTAJYNFZH93XENAJ8FVY99RRM50D2JG9.nft-trait.nft-trait
(define-trait nft-trait
  (
    ;; highest token id minted so far
    (get-last-token-id () (response uint uint))
    ;; SIP-016 metadata URI; may contain the {id} placeholder
    (get-token-uri (uint) (response (optional (string-ascii 256)) uint))
    (get-owner (uint) (response (optional principal) uint))
    ;; token id, sender, recipient
    (transfer (uint principal principal) (response bool uint))
  )
)
