export enum JobStatus {
    QUEUED = "QUEUED",
    RUNNING = "RUNNING",
    DONE = "DONE",
    FAILED = "FAILED",
    INVALID = "INVALID",
}
