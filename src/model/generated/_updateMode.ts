export enum UpdateMode {
    STANDARD = "STANDARD",
    FROZEN = "FROZEN",
    DYNAMIC = "DYNAMIC",
}
