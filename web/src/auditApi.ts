// The audit-trail search for supervisors (docs/api.md "Audit trail"): writes and reads of the
// tamper-evident trail, and the health of its SM3 chains (latest SM2-signed checkpoints).
import { request } from './api';

export interface AuditCheckpoint {
  chain: string;
  seq: number;
  at: string;
  signed_by: string;
  key_id: number;
  hash_prefix: string;
  signature_valid: boolean;
  hash_matches: boolean;
}

export interface AuditEntry {
  /** audit (操作) | access (查询) */
  source: string;
  kind_name: string;
  id: number;
  at: string;
  officer: { id: number; name: string; login: string; police_number: string; unit_code: string; unit_name: string } | null;
  action: string;
  action_name: string;
  object_kind: string;
  /** ID numbers arrive masked. */
  object: string;
  detail: unknown;
  purpose: string;
  client: string;
  chain: { name: string; seq: number | null; hash_prefix: string; checkpoint: AuditCheckpoint | null; sealed: boolean };
}

export interface AuditPage {
  items: AuditEntry[];
  page: number;
  page_size: number;
  has_more: boolean;
  scope_prefix: string;
}

export interface ChainHealth {
  chain: string;
  name: string;
  head_seq: number;
  head_at: string;
  unsealed: number;
  healthy: boolean;
  checkpoints: AuditCheckpoint[];
}

export interface AuditQuery {
  person?: string;
  officer?: string;
  case?: string;
  from?: string;
  to?: string;
  action?: string;
  source?: string;
  purpose: string;
  page?: number;
  page_size?: number;
}

export const auditApi = {
  search: (q: AuditQuery) => request<AuditPage>('GET', '/audit', { query: { ...q } }),
  verifyStatus: () => request<{ chains: ChainHealth[] }>('GET', '/audit/verify-status'),
};
