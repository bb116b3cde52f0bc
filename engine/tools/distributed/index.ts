// Batch and diff beyond one machine, on pg-boss (PostgreSQL). The coordinator is a Pool of
// engine/tools/pool.ts: `yakkan batch|diff --queue postgres://…` runs the same code as on
// threads, with chunks going to `yakkan worker` processes through the queue.
//
//   coordinator.ts  the Pool: runs, chunks in and outputs back in input order, poison, resume
//   worker.ts       the worker loop: check the run, take a chunk, decide, store, complete
//   store.ts        the tables, the connection, heartbeats and reaping dead workers
//   identity.ts     engine version and product content hashes a worker must share
//   codec.ts        task inputs and outputs as bytes
//   report.ts       progress bar, poison and summary lines for the command line
export { moduleKey, type QueueEvent, type QueueOptions, queuePool, queueRunner } from './coordinator.js';
export { engineVersion, productHash } from './identity.js';
export { queueReporter } from './report.js';
export { runWorker, type WorkerOptions, type WorkerStats } from './worker.js';
