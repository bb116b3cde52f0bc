// The server: yakkan's decisions over HTTP (Fastify), the decision log (SQLite or PostgreSQL) and
// its audit replay. buildApp() is the whole service, unstarted; openLog() opens a log by path or
// postgres:// URL; verifyLog() and exportCorpus() read a log back. docs/server.md tells the rest.
export { buildApp, listenCheck, type ServerOptions, type Yakkan } from './app.js';
export { ProductSet, StartError, type ProductEntry, type ReloadEvent } from './products.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { checkSource, type CheckResult } from './routes/check.js';
export { problem, type Problem, type ProblemCode } from './problem.js';
export {
  defaultLogTarget,
  engineVersion,
  logFilter,
  openLog,
  type DecideRequest,
  type DecisionLog,
  type LogEntry,
  type LogFilter,
  type LogSettings,
  type StoredEntry,
} from './log/store.js';
export { entryFor, exportCorpus, redecide, verifyLog, type VerifyReport } from './log/replay.js';
export { loadSnapshot, snapshotOf, type ProductSnapshot } from './log/snapshot.js';
