// Thin client for the hukou JSON API (docs/api.md). Every call sends the session cookie;
// a 401 anywhere except the login call sends the user back to the login page.

export interface User {
  id: number | string;
  login: string;
  name: string;
  role: string;
  role_title: string;
  unit_code: string;
  unit_name: string;
  police_number?: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

export interface PersonSummary {
  id: number | string;
  id_number_masked: string;
  name: string;
  sex: string;
  sex_name: string;
  birth_date: string;
  ethnicity_name: string;
  household_number: string;
  address: string;
  status: string;
  station_code: string;
}

export interface Kin {
  name?: string | null;
  id_number?: string | null;
}

/** A code-valued item may arrive as plain text or as {code,name}. */
export type Named = string | { code?: string; name?: string; full_text?: string } | null | undefined;

export interface Person {
  id: number | string;
  id_number: string;
  name: string;
  former_names?: string[];
  sex?: string;
  sex_name?: string;
  ethnicity?: string;
  ethnicity_name?: string;
  birth_date?: string;
  native_place?: Named;
  native_place_name?: string;
  birthplace?: Named;
  birthplace_name?: string;
  religion?: Named;
  religion_name?: string;
  education?: string;
  education_name?: string;
  marital_status?: string;
  marital_status_name?: string;
  military_service?: string;
  military_service_name?: string;
  workplace?: string | null;
  occupation?: Named;
  phone?: string | null;
  father?: Kin | null;
  mother?: Kin | null;
  guardian?: Kin | null;
  spouse?: Kin | null;
  photo_url?: string | null;
  household?: { number: string; kind?: string; kind_name?: string; address?: Named } | null;
  relation_to_head?: string;
  relation_name?: string;
  status: string;
  cancel_reason?: string | null;
  cancel_reason_name?: string | null;
  cancel_date?: string | null;
  station_code?: string;
  station_name?: string;
  registered_at?: string;
  updated_at?: string;
  missing_items?: string[];
  as_of?: string | null;
  /** Optimistic-lock version; PATCH sends it back so a concurrent change is refused (409). */
  version?: number;
}

/** Auxiliary items PATCH /persons/{key} accepts (flat names), with `reason` and `version`. */
export type PersonPatch = Partial<Record<AuxItem, string>> & { reason: string; version?: number };

export const AUX_ITEMS = [
  'phone',
  'workplace',
  'occupation',
  'religion',
  'education',
  'marital_status',
  'military_service',
  'native_place',
  'birthplace',
  'father_name',
  'father_id_number',
  'mother_name',
  'mother_id_number',
  'guardian_name',
  'guardian_id_number',
  'spouse_name',
  'spouse_id_number',
] as const;
export type AuxItem = (typeof AUX_ITEMS)[number];

/** Largest photo the server accepts (PUT /persons/{key}/photo). */
export const MAX_PHOTO_BYTES = 512 * 1024;

export interface Change {
  id: number | string;
  field: string;
  field_name: string;
  old_value: string | null;
  new_value: string | null;
  /** 变更事由 given with the change, when there was one. */
  reason?: string | null;
  changed_at: string;
  effective_date?: string | null;
  operator?: { id: number | string; name: string } | null;
  case_id?: string | number | null;
  action: string;
}

export interface AccessEntry {
  at: string;
  user: { id: number | string; name: string; login: string };
  action: string;
  purpose?: string | null;
  client?: string | null;
}

export interface HouseholdMember extends PersonSummary {
  relation_to_head?: string;
  relation_name?: string;
}

export interface Household {
  household_number: string;
  kind: string;
  kind_name: string;
  status: string;
  address: { id?: number | string; full_text: string; [k: string]: unknown };
  station_code?: string;
  station_name?: string;
  members: HouseholdMember[];
  as_of?: string | null;
}

export interface TreeNode {
  code: string;
  name: string;
  kind: string;
  has_children: boolean;
}

export interface AddressItem {
  id: number | string;
  full_text: string;
  community_code: string;
  household_numbers: string[];
}

export interface Unit {
  code: string;
  name: string;
  kind: string;
  parent_code: string | null;
  division_code: string;
}

export interface CodeTableInfo {
  id: string;
  title: string;
}

export interface CodeTable {
  id: string;
  title: string;
  entries: { code: string; name: string }[];
}

/** A message to the user's unit (站内消息), e.g. a case to handle or a notice (通知公告). */
export interface InboxMessage {
  id: number;
  subject_kind: string;
  subject_id: string;
  text: string;
  created_at: string;
  read: boolean;
  read_at: string | null;
}

/** An API failure with the server's stable code and Chinese message. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string,
    /** The whole error object, for answers that carry more (e.g. `missing` of case.materials_missing). */
    public detail?: Record<string, unknown>,
  ) {
    super(message);
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => {};

/** Registers what to do when the session has ended (401). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

interface RequestOptions {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, with its own Content-Type (e.g. an image file). */
  raw?: Blob;
  auth401?: boolean;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  };
  if (opts.raw !== undefined) {
    (init.headers as Record<string, string>)['Content-Type'] = opts.raw.type || 'application/octet-stream';
    init.body = opts.raw;
  } else if (opts.body !== undefined) {
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(`/api/v1${path}`, opts.query), init);
  } catch {
    throw new ApiError(0, 'network.unreachable', '无法连接服务器，请检查网络');
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    const message = err?.message || defaultMessage(res.status);
    if (res.status === 401 && opts.auth401 !== false) onUnauthorized();
    throw new ApiError(res.status, err?.code || `http.${res.status}`, message, err?.field, err as Record<string, unknown> | undefined);
  }
  return data as T;
}

function defaultMessage(status: number): string {
  switch (status) {
    case 401:
      return '登录已失效，请重新登录';
    case 403:
      return '无权访问该数据';
    case 404:
      return '未找到相关记录';
    case 413:
      return '提交的内容过大';
    default:
      return status >= 500 ? '服务器内部错误，请稍后重试' : `请求失败（${status}）`;
  }
}

const enc = encodeURIComponent;

export const api = {
  login: (login: string, password: string) =>
    request<{ user: User }>('POST', '/auth/login', { body: { login, password }, auth401: false }),
  logout: () => request<unknown>('POST', '/auth/logout', { auth401: false }),
  me: () => request<{ user: User }>('GET', '/auth/me', { auth401: false }),

  searchPersons: (query: Query) => request<Page<PersonSummary>>('GET', '/persons', { query }),
  person: (key: string, query: Query) => request<Person>('GET', `/persons/${enc(key)}`, { query }),
  updatePerson: (key: string, body: PersonPatch) => request<Person>('PATCH', `/persons/${enc(key)}`, { body }),
  uploadPhoto: (key: string, file: Blob) => request<Person>('PUT', `/persons/${enc(key)}/photo`, { raw: file }),
  personHistory: (key: string) => request<{ items: Change[] }>('GET', `/persons/${enc(key)}/history`),
  personAccessLog: (key: string) => request<{ items: AccessEntry[] }>('GET', `/persons/${enc(key)}/access-log`),

  household: (number: string, query: Query) => request<Household>('GET', `/households/${enc(number)}`, { query }),
  householdHistory: (number: string) => request<{ items: Change[] }>('GET', `/households/${enc(number)}/history`),

  addressTree: (parent?: string) => request<{ items: TreeNode[] }>('GET', '/addresses/tree', { query: { parent } }),
  addresses: (query: Query) => request<Page<AddressItem>>('GET', '/addresses', { query }),

  units: () => request<{ items: Unit[] }>('GET', '/units'),
  users: (query: Query) => request<Page<User>>('GET', '/users', { query }),
  createUser: (body: Record<string, unknown>) => request<User>('POST', '/users', { body }),

  notifications: (query: Query) => request<Page<InboxMessage> & { unread: number }>('GET', '/notifications', { query }),
  markNotificationRead: (id: number) =>
    request<{ id: number; read: boolean; read_at: string }>('POST', `/notifications/${id}/read`),

  codeTables: () => request<{ tables: CodeTableInfo[] }>('GET', '/codes'),
  codeTable: (id: string) => request<CodeTable>('GET', `/codes/${enc(id)}`),
};

/** Text of a value that may be plain text or a {code,name} object. */
export function named(v: Named): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return v.name || v.full_text || v.code || '';
}

/** 420704********123X style masking for an 18-character ID number. */
export function maskIdNumber(n: string | null | undefined): string {
  if (!n) return '';
  if (n.length < 10) return n;
  return `${n.slice(0, 6)}${'*'.repeat(n.length - 10)}${n.slice(-4)}`;
}
