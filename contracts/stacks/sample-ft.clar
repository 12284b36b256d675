;; A SIP-010 fungible token for the local simulator (Sample Token, SMPL, decimals u6).
;; SIP-019 notifications ("ft" class) are printed by the contract itself.
(impl-trait .sip-010-trait-ft-standard.sip-010-trait)

(define-fungible-token sample-token)

(define-constant contract-owner tx-sender)
(define-constant err-owner-only (err u100))
(define-constant err-not-token-owner (err u101))

(define-data-var token-uri (optional (string-utf8 256)) (some u"ipfs://bafybeihsampletokenmetadata/sample-ft.json"))

;; SIP-010 read-only functions

(define-read-only (get-name) (ok "Sample Token"))
(define-read-only (get-symbol) (ok "SMPL"))
(define-read-only (get-decimals) (ok u6))
(define-read-only (get-balance (who principal)) (ok (ft-get-balance sample-token who)))
(define-read-only (get-total-supply) (ok (ft-get-supply sample-token)))
(define-read-only (get-token-uri) (ok (var-get token-uri)))

;; SIP-010 transfer: the memo, when given, is printed after the transfer as the standard asks

(define-public (transfer (amount uint) (sender principal) (recipient principal) (memo (optional (buff 34))))
  (begin
    (asserts! (is-eq tx-sender sender) err-not-token-owner)
    (try! (ft-transfer? sample-token amount sender recipient))
    (match memo text (print text) 0x)
    (ok true)))

;; minting and burning

(define-public (mint (amount uint) (recipient principal))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (ft-mint? sample-token amount recipient)))

(define-public (burn (amount uint))
  (ft-burn? sample-token amount tx-sender))

;; metadata administration and SIP-019 notifications

(define-public (set-token-uri (uri (optional (string-utf8 256))))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (var-set token-uri uri)
    (print {notification: "token-metadata-update",
            payload: {token-class: "ft", contract-id: (as-contract tx-sender)}})
    (ok true)))

(define-public (notify-all)
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (print {notification: "token-metadata-update",
            payload: {token-class: "ft", contract-id: (as-contract tx-sender)}})
    (ok true)))
