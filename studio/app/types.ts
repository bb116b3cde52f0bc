// What the studio reads from the server: /v1 (the decision service's own routes) and /studio/api.
import type { Behaviour, Citation, Decision, StructuralChange } from '../../engine/index.js';
import type { CaseRun } from '../server/cases.js';
import type { Facts } from './form.js';

export type { Citation, Decision };

export interface InForce {
  from?: string;
  until?: string;
}

export interface ProductSummary {
  id: string;
  name: { ja?: string; en?: string };
  status: 'ok' | 'stale' | 'unavailable';
  revisions: { revision: string; inForce: InForce }[];
}

export interface ProductDetail extends ProductSummary {
  chosenBy: string | null;
  problem: { detail: string; text: string } | null;
  revisions: { revision: string; inForce: InForce; source: string; facts: unknown }[];
}

export interface Session {
  sources: { configured: boolean; dir: string; from: string };
  saving: { allowed: boolean; why?: string };
}

export interface ProductFile {
  name: string;
  text: string;
}

export interface FilesAnswer {
  id: string;
  files: ProductFile[];
  example: Facts | null;
  // The names of the case files.
  cases: string[];
}

// The studio's own routes answer with the server modules' types (type-only: nothing of Node's
// reaches the bundle).
export type { CaseRun } from '../server/cases.js';
export type { Tried } from '../server/try.js';

export interface CasesAnswer {
  passed: number;
  failed: number;
  cases: CaseRun[];
}

export interface SaveAnswer {
  saved: string;
  activated: boolean;
  reload: { ok: boolean; message: string };
  check: { ok: boolean; errors: number; warnings: number; text: string };
}

export interface DiffAnswer {
  report: {
    old: { file: string; revision: string; inForce: InForce };
    new: { file: string; revision: string; inForce: InForce };
    structural: StructuralChange[];
    behaviour?: Behaviour;
  };
  text: string;
}
