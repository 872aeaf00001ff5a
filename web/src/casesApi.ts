// Cases (办件, docs/api.md "Cases"): receive, lists, the case with its timeline, decisions,
// resubmission, issue, national check, statistics and the public progress query.
import { ref } from 'vue';
import { ApiError, request } from './api';
import type { User } from './api';

export interface CaseStepRecord {
  step_no: number;
  chain_index: number;
  /** receive | accept | review | approve | resubmit | issue | withdraw */
  action: string;
  action_name: string;
  level: string;
  level_name: string;
  /** approve | return | reject | "" */
  decision: string;
  opinion: string;
  officer: { id: number; name: string };
  unit_code: string;
  unit_name?: string;
  acted_at: string;
  due_date: string;
  duration_seconds: number;
  overdue: boolean;
  signed: boolean;
  payload_sm3?: string;
}

export interface ChainStep {
  index: number;
  action: string;
  action_name: string;
  level: string;
  level_name: string;
  role?: string;
  time_limit_days: number;
  /** done | current | returned | pending */
  state: string;
  due_date: string | null;
  overdue: boolean;
}

export interface CasePerson {
  seq: number;
  person_id: number | null;
  id_number: string;
  name: string;
  birth_date: string;
  relation_to_head: string;
  new_person: Record<string, string> | null;
}

export interface CaseMaterial {
  code: string;
  name: string;
  mandatory: boolean;
  /** provided | system_verified | missing */
  state: string;
}

export interface CaseFee {
  amount_fen: number;
  paid: boolean;
  payment_ref: string;
  free_reason: string;
  recorded_at: string;
}

export interface CaseCheck {
  /** the subject's number, '' for a subject without one (asked by name, sex and birth date) */
  id_number: string;
  person_seq: number;
  /** id_number | identity */
  query: string;
  /** identity: the number of the registration found, '' for none */
  found_id_number: string;
  /** none | active | cancelled */
  outcome: string;
  peer: string;
  station: string;
  cancel_reason: string;
  cancel_date: string;
  checked_at: string;
}

export interface CaseBiometric {
  person_seq: number;
  /** photo | fingerprint | portrait_comparison */
  kind: string;
  finger: number;
  file_id: number | null;
  result: string;
  score: number;
  captured_at: string;
}

/** One-stop migration (一站式迁移): the origin's move-out asked of a peer instance. */
export interface CaseOriginMoveOut {
  person_seq: number;
  id_number: string;
  name: string;
  peer: string;
  /** pending | done | refused */
  status: string;
  /** 待办 | 已完成 | 被拒绝 */
  status_name: string;
  destination: string;
  move_date: string;
  requested_at: string;
  attempts: number;
  last_error: string;
  answered_at: string | null;
  answer_code: string;
  answer_message: string;
  origin_station: string;
}

export interface CaseDetail {
  case_no: string;
  item: {
    code: string;
    version: number;
    name: string;
    effect: string;
    handling_mode: string;
    national_check: boolean;
    biometrics: boolean;
    time_limit_days: number;
  };
  status: string;
  status_name: string;
  receiving: { unit_code: string; unit_name: string; station_code: string; user: { id: number; name: string } };
  station_code: string;
  station_name: string;
  applicant: { name: string; id_number: string; phone: string };
  persons: CasePerson[];
  form: Record<string, unknown>;
  trafficked: boolean;
  materials: CaseMaterial[];
  fees: CaseFee[];
  received_at: string;
  due_date: string;
  overdue: boolean;
  closed_at: string | null;
  current_step: { index: number; action: string; action_name: string; level: string; role: string; due_date: string } | null;
  chain: ChainStep[];
  steps: CaseStepRecord[];
  return_reason: string;
  missing: string[];
  checks: CaseCheck[];
  biometrics: CaseBiometric[];
  /** Absent from servers before one-stop migration. */
  origin_move_outs?: CaseOriginMoveOut[];
  effect_result: { effect?: string; persons?: { seq: number; person_id: number; id_number: string; name: string }[]; [k: string]: unknown };
  notice: string | null;
  /** 查询码 printed in the receipt's QR code (null for cases received before it existed). */
  query_code: string | null;
  version: number;
  /** What the logged-in user may do now, by the server's rules and data scope. */
  may?: { decide: boolean; issue: boolean; resubmit: boolean; withdraw: boolean; national_check: boolean; capture: boolean };
  /** What the logged-in user may do now, when the server says so (otherwise judged by mayDecide()). */
  may_decide?: boolean;
  may_issue?: boolean;
  may_resubmit?: boolean;
}

export interface CaseSummary {
  case_no: string;
  item_code: string;
  item_name: string;
  status: string;
  status_name: string;
  station_code: string;
  station_name: string;
  receiving_unit_code: string;
  applicant_name: string;
  applicant_id_number_masked: string;
  received_at: string;
  due_date: string;
  step_due_date: string;
  current_action: string;
  current_action_name: string;
  current_level: string;
  current_role: string;
  overdue: boolean;
}

export interface StationStats {
  station_code: string;
  station_name: string;
  cases: number;
  closed: number;
  open: number;
  overdue: number;
  average_hours: number;
  average_step_hours: number;
}

export interface Progress {
  case_no: string;
  item_name: string;
  status: string;
  status_name: string;
  received_at: string;
  due_date: string;
  closed_at: string | null;
  chain: ChainStep[];
  steps: { action_name: string; level_name: string; acted_at: string }[];
}

export interface SubjectInput {
  id_number?: string;
  relation_to_head?: string;
  new_person?: Record<string, string> | null;
}

export interface ReceiveInput {
  item_code: string;
  applicant: { name: string; id_number: string; phone: string };
  subjects: SubjectInput[];
  materials: string[];
  form: Record<string, unknown>;
  fee: { paid: boolean; payment_ref?: string; free_reason?: string };
  trafficked?: boolean;
}

export interface DecisionInput {
  decision: 'approve' | 'return' | 'reject';
  opinion: string;
  missing?: string[];
  /** The case version shown: another officer's decision in between gives 409 case.conflict. */
  version?: number;
}

type Query = Record<string, string | number | boolean | null | undefined>;
interface CasePage {
  items: CaseSummary[];
  total: number;
  page: number;
  page_size: number;
}
const enc = encodeURIComponent;

export const casesApi = {
  receive: (body: ReceiveInput) => request<CaseDetail>('POST', '/cases', { body }),
  /** 待办 by default; `scope: 'all'` for every case in the user's scope. */
  list: (query: Query) => request<CasePage>('GET', '/cases', { query }),
  overdue: (query: Query) => request<CasePage>('GET', '/cases/overdue', { query }),
  stats: () => request<{ items: StationStats[] }>('GET', '/cases/stats'),
  get: (caseNo: string) => request<CaseDetail>('GET', `/cases/${enc(caseNo)}`),
  decide: (caseNo: string, body: DecisionInput) => request<CaseDetail>('POST', `/cases/${enc(caseNo)}/decisions`, { body }),
  resubmit: (caseNo: string, body: { materials: string[]; form?: Record<string, unknown>; opinion: string }) =>
    request<CaseDetail>('POST', `/cases/${enc(caseNo)}/resubmit`, { body }),
  issue: (caseNo: string) => request<CaseDetail>('POST', `/cases/${enc(caseNo)}/issue`, { body: {} }),
  /** A photo or fingerprint (`data` Base64 with `mime`) or a portrait comparison (`result`, `score`). */
  biometric: (caseNo: string, body: Record<string, unknown>) => request<CaseDetail>('POST', `/cases/${enc(caseNo)}/biometrics`, { body }),
  nationalCheck: (caseNo: string) => request<CaseDetail>('POST', `/cases/${enc(caseNo)}/national-check`, { body: {} }),
  /** By the case number and an ID number, or by the case number and the receipt's 查询码. */
  progress: (caseNo: string, idNumber: string, code = '') =>
    request<Progress>('GET', '/public/cases/progress', {
      query: code ? { case_no: caseNo, code } : { case_no: caseNo, id_number: idNumber },
      auth401: false,
    }),
};

export const CASE_STATUS: Record<string, { title: string; type: 'primary' | 'success' | 'warning' | 'danger' | 'info' }> = {
  received: { title: '已收件', type: 'primary' },
  accepted: { title: '已受理', type: 'primary' },
  returned: { title: '退回补正', type: 'warning' },
  approved: { title: '已审批', type: 'success' },
  rejected: { title: '不予办理', type: 'danger' },
  issued: { title: '已办结', type: 'info' },
  withdrawn: { title: '已撤销', type: 'info' },
};

export const DECISION_TITLES: Record<string, string> = { approve: '同意', return: '退回补正', reject: '不予办理' };
export const MATERIAL_STATES: Record<string, string> = { provided: '已提交', system_verified: '系统核验', missing: '未提交' };
export const CHECK_OUTCOMES: Record<string, string> = { none: '无户籍记录', active: '有有效户口', cancelled: '户口已注销' };
/** The origin's move-out of one-stop migration (迁出地注销). */
export const MOVE_OUT_STATES: Record<string, string> = { pending: '待办', done: '已完成', refused: '被拒绝' };
export const BIOMETRIC_KINDS: Record<string, string> = { photo: '人像照片', fingerprint: '指纹', portrait_comparison: '人像比对' };

/** Roles that may take a chain step of `role` (a station chief also takes police steps). */
function takesStep(userRole: string, stepRole: string): boolean {
  return userRole === stepRole || (stepRole === 'police' && userRole === 'station_chief');
}

/**
 * May `user` decide the awaited step? The server's `may_decide` when it sends one; otherwise the
 * rules the server applies (role of the step, the receiver never approves). Scope is the server's.
 */
export function mayDecide(c: CaseDetail, user: User | null): boolean {
  if (c.may) return c.may.decide;
  if (typeof c.may_decide === 'boolean') return c.may_decide;
  if (!user || !c.current_step || !['received', 'accepted'].includes(c.status)) return false;
  if (!takesStep(user.role, c.current_step.role)) return false;
  return !(c.current_step.action === 'approve' && String(c.receiving.user.id) === String(user.id));
}

/** Issue and resubmission belong to the receiving window. */
export function atReceivingWindow(c: CaseDetail, user: User | null, flag: boolean | undefined): boolean {
  if (typeof flag === 'boolean') return flag;
  return !!user && user.unit_code === c.receiving.unit_code;
}

/** "1.5 天" / "3.2 小时" / "12 分钟" for a duration in hours. */
export function hoursText(h: number): string {
  if (!h) return '—';
  if (h < 1) return `${Math.max(1, Math.round(h * 60))} 分钟`;
  return h >= 24 ? `${(h / 24).toFixed(1)} 天` : `${h.toFixed(1)} 小时`;
}

/** "2 天 3 小时" for a step's duration in seconds. */
export function durationText(seconds: number): string {
  if (!seconds || seconds < 60) return seconds ? '不足 1 分钟' : '';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d ? `${d} 天` : '', h ? `${h} 小时` : '', !d && m ? `${m} 分钟` : ''].filter(Boolean).join(' ');
}

/** The console URL of the public progress page for a case (the receipt's QR code). */
/** A case document as a signed, registered PDF (收件单, 审批表, 通知书), opened in a new tab. */
export function documentPdfUrl(caseNo: string, kind: 'receipt' | 'approval-form' | 'notice'): string {
  return `/api/v1/cases/${enc(caseNo)}/${kind}.pdf`;
}

/** The archived case's booklet (一件一册) as one PDF. */
export function bookletPdfUrl(caseNo: string): string {
  return `/api/v1/archive/cases/${enc(caseNo)}/booklet.pdf`;
}

export function progressUrl(caseNo: string, code?: string | null): string {
  const url = `${window.location.origin}/#/portal/progress?case_no=${enc(caseNo)}`;
  return code ? `${url}&code=${enc(code)}` : url;
}

/** The case `caseNo()` names, loaded by `load()`; `error` holds the server's message on failure. */
export function useCase(caseNo: () => string) {
  const c = ref<CaseDetail | null>(null);
  const loading = ref(false);
  const error = ref('');
  async function load(): Promise<void> {
    loading.value = true;
    error.value = '';
    try {
      c.value = await casesApi.get(caseNo());
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) error.value = e.message;
    } finally {
      loading.value = false;
    }
  }
  return { c, loading, error, load };
}
