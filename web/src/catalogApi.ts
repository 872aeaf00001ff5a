// The catalogue of business items (事项清单) and the working-day calendar (docs/api.md). Reads are
// public (the portal uses them without a session); writes are for administrators.
import { request } from './api';

export interface Material {
  code: string;
  name: string;
  /** scan | photo | form | data_sharing */
  capture: string;
  mandatory: boolean;
  /** Verified by the system through data sharing: the resident need not bring it. */
  system_verified: boolean;
  note: string;
}

export interface ApprovalStep {
  /** accept | review | approve */
  action: string;
  /** station | branch | city */
  level: string;
  role: string;
  time_limit_days: number;
}

export interface CatalogItem {
  code: string;
  version: number;
  name: string;
  major_category: string;
  category?: string;
  minor_category: string;
  legal_basis: string;
  conditions: string;
  materials: Material[];
  /** any_window | registration_place | destination */
  handling_mode: string;
  chain: ApprovalStep[];
  time_limit_days: number;
  fee_fen: number;
  fee?: string;
  fee_note: string;
  police_only: boolean;
  national_check: boolean;
  biometrics: boolean;
  effect: string;
  effect_param: string;
  active: boolean;
  updated_at?: string;
}

export interface Category {
  name: string;
  item_count: number;
  minor_categories: string[];
}

export interface CalendarDay {
  date: string;
  /** holiday | workday | ordinary */
  kind: string;
  name: string;
  weekday: string;
}

const enc = encodeURIComponent;

export const catalogApi = {
  items: (query: { category?: string; q?: string; include_inactive?: boolean } = {}) =>
    request<{ items: CatalogItem[]; total: number }>('GET', '/catalog/items', { query, auth401: false }),
  item: (code: string, version?: number) =>
    request<CatalogItem>('GET', `/catalog/items/${enc(code)}`, { query: { version }, auth401: false }),
  categories: () => request<{ items: Category[] }>('GET', '/catalog/categories', { auth401: false }),
  createItem: (item: CatalogItem) => request<CatalogItem>('POST', '/catalog/items', { body: item }),
  updateItem: (item: CatalogItem) => request<CatalogItem>('PUT', `/catalog/items/${enc(item.code)}`, { body: item }),

  calendar: (year: number) =>
    request<{ year: number; workdays: number; days: CalendarDay[] }>('GET', '/calendar', { query: { year }, auth401: false }),
  due: (from: string, days: number) =>
    request<{ from: string; days: number; due: string; calendar_days: number }>('GET', '/calendar/due', {
      query: { from, days },
      auth401: false,
    }),
  setDay: (date: string, kind: string, name: string) => request<CalendarDay>('PUT', `/calendar/${enc(date)}`, { body: { kind, name } }),
};

/** The categories and the current items, for the portal pages. */
export async function loadCatalog(): Promise<{ categories: Category[]; items: CatalogItem[] }> {
  const [c, i] = await Promise.all([catalogApi.categories(), catalogApi.items()]);
  return { categories: c.items, items: i.items };
}

export const HANDLING_MODES: Record<string, string> = {
  any_window: '全市通办',
  registration_place: '户籍地办理',
  destination: '迁入地办理',
};

export const CAPTURE_TITLES: Record<string, string> = {
  scan: '扫描',
  photo: '拍照',
  form: '表单填写',
  data_sharing: '共享核验',
};

export const ACTION_TITLES: Record<string, string> = { accept: '受理', review: '审核', approve: '审批' };
export const LEVEL_TITLES: Record<string, string> = { station: '派出所', branch: '分局', city: '市局' };
export const STEP_ROLES: Record<string, string[]> = {
  station: ['police', 'station_chief'],
  branch: ['branch_approver'],
  city: ['city_approver'],
};

export const EFFECT_TITLES: Record<string, string> = {
  birth: '出生登记',
  death: '死亡注销',
  cancel: '注销户口',
  migrate_in: '迁入登记',
  migrate_out: '迁出登记',
  restore: '恢复户口',
  register: '补录/无户口登记',
  change_main: '主项变更',
  change_aux: '辅项变更',
  household_split: '分户',
  household_create: '立户',
  household_head: '户主变更',
  document: '证件证明',
};

export const DAY_KIND_TITLES: Record<string, string> = { holiday: '放假', workday: '调休上班', ordinary: '普通日' };

/** 20 个工作日 style text. */
export function limitText(days: number): string {
  return `${days} 个工作日`;
}

export function feeText(item: CatalogItem): string {
  const base = item.fee_fen ? `${(item.fee_fen / 100).toFixed(2)} 元` : '免费';
  return item.fee_note && item.fee_note !== base ? `${base}（${item.fee_note}）` : base;
}
