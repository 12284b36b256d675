export enum JobKind {
    TOKEN = "TOKEN",
    CONTRACT = "CONTRACT",
    DELIVERY = "DELIVERY",
}
