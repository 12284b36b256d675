export enum MetadataStatus {
    PENDING = "PENDING",
    AVAILABLE = "AVAILABLE",
    STALE = "STALE",
    FAILED = "FAILED",
    INVALID = "INVALID",
}
