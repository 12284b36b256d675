;; A SIP-013 semi-fungible token for the local simulator.
;; Balances are kept per (token id, owner); a fungible token tracks the overall balance and supply,
;; and an internal NFT keyed by {token-id, owner} is burned and re-minted on every balance change
;; ("tagging", as the SIP-013 reference design does) so wallets can write post-conditions on it.
;; Every mint, transfer and burn prints the SIP-013 event tuple that indexers read.
(impl-trait .sip013-semi-fungible-token-trait.sip013-semi-fungible-token-trait)

(define-fungible-token sample-sft-overall)
(define-non-fungible-token sample-sft-id {token-id: uint, owner: principal})

(define-map balances {token-id: uint, owner: principal} uint)
(define-map supplies uint uint)
;; decimals per token id (SIP-013 get-decimals takes the id); unset ids have 0
(define-map token-decimals uint uint)

(define-constant contract-owner tx-sender)
(define-constant err-owner-only (err u100))
(define-constant err-not-token-owner (err u101))
(define-constant err-insufficient-balance (err u1))
(define-constant err-invalid-amount (err u3))

(define-data-var token-uri-template (string-ascii 256) "ipfs://bafybeihsamplesftmetadata/{id}.json")

;; SIP-013 read-only functions

(define-read-only (get-balance (token-id uint) (who principal))
  (ok (balance-of token-id who)))

(define-read-only (get-overall-balance (who principal))
  (ok (ft-get-balance sample-sft-overall who)))

(define-read-only (get-total-supply (token-id uint))
  (ok (default-to u0 (map-get? supplies token-id))))

(define-read-only (get-overall-supply)
  (ok (ft-get-supply sample-sft-overall)))

(define-read-only (get-decimals (token-id uint))
  (ok (default-to u0 (map-get? token-decimals token-id))))

(define-read-only (get-token-uri (token-id uint))
  (ok (some (var-get token-uri-template))))

;; internals

(define-private (balance-of (token-id uint) (who principal))
  (default-to u0 (map-get? balances {token-id: token-id, owner: who})))

;; Burn-and-mint the {token-id, owner} tag: the owner holds it while holding any of the token.
(define-private (tag (token-id uint) (who principal))
  (let ((key {token-id: token-id, owner: who}))
    (and (is-some (nft-get-owner? sample-sft-id key))
         (is-ok (nft-burn? sample-sft-id key who)))
    (if (> (balance-of token-id who) u0)
      (nft-mint? sample-sft-id key who)
      (ok true))))

;; SIP-013 transfers

(define-public (transfer (token-id uint) (amount uint) (sender principal) (recipient principal))
  (let ((sender-balance (balance-of token-id sender)))
    (asserts! (or (is-eq tx-sender sender) (is-eq contract-caller sender)) err-not-token-owner)
    (asserts! (> amount u0) err-invalid-amount)
    (asserts! (<= amount sender-balance) err-insufficient-balance)
    (try! (ft-transfer? sample-sft-overall amount sender recipient))
    (map-set balances {token-id: token-id, owner: sender} (- sender-balance amount))
    (map-set balances {token-id: token-id, owner: recipient} (+ (balance-of token-id recipient) amount))
    (try! (tag token-id sender))
    (try! (tag token-id recipient))
    (print {type: "sft_transfer", token-id: token-id, amount: amount, sender: sender, recipient: recipient})
    (ok true)))

(define-public (transfer-memo (token-id uint) (amount uint) (sender principal) (recipient principal) (memo (buff 34)))
  (begin
    (try! (transfer token-id amount sender recipient))
    (print memo)
    (ok true)))

(define-private (transfer-step
    (item {token-id: uint, amount: uint, sender: principal, recipient: principal})
    (previous (response bool uint)))
  (match previous
    ok-value (transfer (get token-id item) (get amount item) (get sender item) (get recipient item))
    err-value previous))

;; several transfers in one transaction (one print per transfer)
(define-public (transfer-many (transfers (list 50 {token-id: uint, amount: uint, sender: principal, recipient: principal})))
  (fold transfer-step transfers (ok true)))

;; minting and burning

(define-public (mint (token-id uint) (amount uint) (recipient principal))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (asserts! (> amount u0) err-invalid-amount)
    (try! (ft-mint? sample-sft-overall amount recipient))
    (map-set balances {token-id: token-id, owner: recipient} (+ (balance-of token-id recipient) amount))
    (map-set supplies token-id (+ (unwrap-panic (get-total-supply token-id)) amount))
    (try! (tag token-id recipient))
    (print {type: "sft_mint", token-id: token-id, amount: amount, recipient: recipient})
    (ok true)))

(define-public (burn (token-id uint) (amount uint))
  (let ((balance (balance-of token-id tx-sender)))
    (asserts! (> amount u0) err-invalid-amount)
    (asserts! (<= amount balance) err-insufficient-balance)
    (try! (ft-burn? sample-sft-overall amount tx-sender))
    (map-set balances {token-id: token-id, owner: tx-sender} (- balance amount))
    (map-set supplies token-id (- (unwrap-panic (get-total-supply token-id)) amount))
    (try! (tag token-id tx-sender))
    (print {type: "sft_burn", token-id: token-id, amount: amount, sender: tx-sender})
    (ok true)))

;; metadata administration and SIP-019 notifications

(define-public (set-decimals (token-id uint) (decimals uint))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (map-set token-decimals token-id decimals)
    (ok true)))

(define-public (set-token-uri (template (string-ascii 256)))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (var-set token-uri-template template)
    (print {notification: "token-metadata-update",
            payload: {token-class: "sft", contract-id: (as-contract tx-sender)}})
    (ok true)))

(define-public (notify-tokens (ids (list 50 uint)))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (print {notification: "token-metadata-update",
            payload: {token-class: "sft", contract-id: (as-contract tx-sender), token-ids: ids}})
    (ok true)))
