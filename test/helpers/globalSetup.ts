// Placeholder; replaced by the database global setup.
export default async function setup(): Promise<void> {}
