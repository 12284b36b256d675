;; SIP-013 semi-fungible token trait, deployed locally.
;; Mainnet equivalent: SPDBEG5X8XD50SPM1JJH0E5CTXGDV5NJTKAKKR5V.sip013-semi-fungible-token-trait
(define-trait sip013-semi-fungible-token-trait
  (
    ;; token id, owner
    (get-balance (uint principal) (response uint uint))
    (get-overall-balance (principal) (response uint uint))
    (get-total-supply (uint) (response uint uint))
    (get-overall-supply () (response uint uint))
    (get-decimals (uint) (response uint uint))
    (get-token-uri (uint) (response (optional (string-ascii 256)) uint))
    ;; token id, amount, sender, recipient
    (transfer (uint uint principal principal) (response bool uint))
    (transfer-memo (uint uint principal principal (buff 34)) (response bool uint))
  )
)
