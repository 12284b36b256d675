export enum JobKind {
    TOKEN = "TOKEN",
    CONTRACT = "CONTRACT",
    MEDIA = "MEDIA",
    DELIVERY = "DELIVERY",
}
