;; A SIP-009 collection for the local simulator.
;; - `mint` numbers tokens from u0 upwards (token id 0 is a valid token), `mint-id` picks the id.
;; - the token URI is one SIP-016 template with an `{id}` placeholder, changeable by the owner.
;; - SIP-019 notifications are printed by the contract itself (the standard's trusted source).
(impl-trait .nft-trait.nft-trait)

(define-non-fungible-token sample-nft uint)

(define-constant contract-owner tx-sender)
(define-constant err-owner-only (err u100))
(define-constant err-not-token-owner (err u101))
(define-constant err-not-found (err u404))

(define-data-var next-token-id uint u0)
(define-data-var last-token-id uint u0)
(define-data-var token-uri-template (string-ascii 256) "ipfs://bafybeihsamplenftcollectionmetadata/{id}.json")

;; SIP-009 read-only functions

(define-read-only (get-last-token-id)
  (ok (var-get last-token-id)))

(define-read-only (get-token-uri (id uint))
  (ok (some (var-get token-uri-template))))

(define-read-only (get-owner (id uint))
  (ok (nft-get-owner? sample-nft id)))

;; SIP-009 transfer

(define-public (transfer (id uint) (sender principal) (recipient principal))
  (begin
    (asserts! (is-eq tx-sender sender) err-not-token-owner)
    (nft-transfer? sample-nft id sender recipient)))

;; minting and burning

(define-private (record-mint (id uint) (recipient principal))
  (begin
    (try! (nft-mint? sample-nft id recipient))
    (if (> id (var-get last-token-id)) (var-set last-token-id id) true)
    (ok id)))

(define-public (mint (recipient principal))
  (let ((id (var-get next-token-id)))
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (var-set next-token-id (+ id u1))
    (record-mint id recipient)))

(define-public (mint-id (id uint) (recipient principal))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (record-mint id recipient)))

(define-public (burn (id uint))
  (let ((owner (unwrap! (nft-get-owner? sample-nft id) err-not-found)))
    (asserts! (is-eq tx-sender owner) err-not-token-owner)
    (nft-burn? sample-nft id owner)))

;; metadata administration and SIP-019 notifications

(define-public (set-token-uri (template (string-ascii 256)))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (var-set token-uri-template template)
    (print {notification: "token-metadata-update",
            payload: {token-class: "nft", contract-id: (as-contract tx-sender)}})
    (ok true)))

;; every token of the collection changed
(define-public (notify-all)
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (print {notification: "token-metadata-update",
            payload: {token-class: "nft", contract-id: (as-contract tx-sender)}})
    (ok true)))

;; only the listed tokens changed
(define-public (notify-tokens (ids (list 50 uint)))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (print {notification: "token-metadata-update",
            payload: {token-class: "nft", contract-id: (as-contract tx-sender), token-ids: ids}})
    (ok true)))

;; the listed tokens switch update mode ("standard", "frozen" or "dynamic"); ttl only with a value
(define-public (notify-update-mode (ids (list 50 uint)) (mode (string-ascii 16)) (ttl (optional uint)))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    ;; the two payloads are different tuple types, so each arm prints and answers a bool
    (match ttl
      seconds (begin
                (print {notification: "token-metadata-update",
                        payload: {token-class: "nft", contract-id: (as-contract tx-sender),
                                  token-ids: ids, update-mode: mode, ttl: seconds}})
                true)
      (begin
        (print {notification: "token-metadata-update",
                payload: {token-class: "nft", contract-id: (as-contract tx-sender),
                          token-ids: ids, update-mode: mode}})
        true))
    (ok true)))

;; The same notification with Clarity optionals instead of absent keys (`token-ids: none` means
;; the whole collection), so an indexer can be tested against both encodings.
(define-public (notify-with-optionals (ids (optional (list 50 uint))) (mode (optional (string-ascii 16))) (ttl (optional uint)))
  (begin
    (asserts! (is-eq tx-sender contract-owner) err-owner-only)
    (print {notification: "token-metadata-update",
            payload: {token-class: "nft", contract-id: (as-contract tx-sender),
                      token-ids: ids, update-mode: mode, ttl: ttl}})
    (ok true)))
