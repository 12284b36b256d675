;; A third party that prints SIP-019 notifications about contracts it neither is nor declares.
;; SIP-019 counts a notification only when the transaction's sender is the owner of the token
;; contract (the address part of `contract-id`), whichever contract printed it: called by the token
;; deployer these are valid, called by anybody else indexers must ignore them.
(define-public (notify (token-class (string-ascii 3)) (contract principal))
  (begin
    (print {notification: "token-metadata-update",
            payload: {token-class: token-class, contract-id: contract}})
    (ok true)))

(define-public (notify-tokens (token-class (string-ascii 3)) (contract principal) (ids (list 50 uint)))
  (begin
    (print {notification: "token-metadata-update",
            payload: {token-class: token-class, contract-id: contract, token-ids: ids}})
    (ok true)))
