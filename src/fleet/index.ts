export { createSensor, type Sensor, type SensorOptions, type SensorStats } from './sensor.js';
export { createWorker, type Worker, type WorkerOptions, type WorkerStats } from './worker.js';
export { createCollector, fleetIds, type Collector, type CollectorStats } from './collector.js';
export { Spool, type SpoolRecord, type SpoolStats } from './spool.js';
export { Leases } from './lease.js';
export { findingId, eventIdentity } from './ids.js';
export * from './subjects.js';
export { ensureFleet, fleetConnect, type FleetConnectOptions } from './nats.js';
export { poisonReason, type FindingMessage, type DeadLetter } from './partition.js';
