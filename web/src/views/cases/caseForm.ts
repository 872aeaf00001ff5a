// What the new-case wizard asks for each registry effect of an item (catalogue `effect` and
// `effect_param`; the engine's form keys: household_number, address_id, changes, cancel_date, …).
import { AUX_ITEMS } from '../../api';

/** How the wizard takes the subjects of an item. */
export type SubjectMode =
  /** New person data (births, registrations): no ID number yet. */
  | 'new'
  /** A registered person by ID number; outside the city (not found) new person data instead. */
  | 'lookup_or_new'
  /** Registered persons by ID number only. */
  | 'lookup'
  /** No subject needed (certificates about a household may still name one). */
  | 'optional';

export interface FormField {
  key: string;
  label: string;
  /** text | date | household | address | code | textarea */
  kind: string;
  /** Code table for kind "code". */
  table?: string;
  required?: boolean;
  placeholder?: string;
}

export interface EffectSpec {
  subjects: SubjectMode;
  /** Allows more than one subject (a family moving together). */
  many: boolean;
  /** Ask each subject's relation to the household head. */
  relation: boolean;
  fields: FormField[];
  /** Main/auxiliary item changes: which person items may change (old → new). */
  changes?: string[];
}

const HOUSEHOLD: FormField = { key: 'household_number', label: '落户户号', kind: 'household', required: true };

/** Auxiliary items an auxiliary-item change may set (those of PATCH /persons/{key}). */
export const AUX_CHANGE_FIELDS: string[] = [...AUX_ITEMS];

/** Person items shown with their Chinese names (new-person data, changes). */
export const NEW_PERSON_LABELS: Record<string, string> = {
  id_number: '公民身份号码',
  name: '姓名',
  sex: '性别',
  ethnicity: '民族',
  birth_date: '出生日期',
  native_place: '籍贯',
  birthplace: '出生地',
  religion: '宗教信仰',
  education: '文化程度',
  marital_status: '婚姻状况',
  military_service: '兵役状况',
  workplace: '服务处所',
  occupation: '职业',
  phone: '联系电话',
  father_name: '父亲姓名',
  father_id_number: '父亲身份号码',
  mother_name: '母亲姓名',
  mother_id_number: '母亲身份号码',
  guardian_name: '监护人姓名',
  guardian_id_number: '监护人身份号码',
  spouse_name: '配偶姓名',
  spouse_id_number: '配偶身份号码',
  relation_to_head: '与户主关系',
};

/** Code tables of coded person items. */
export const PERSON_CODE_TABLES: Record<string, string> = {
  sex: 'sex',
  ethnicity: 'ethnicity',
  religion: 'religion',
  education: 'education',
  marital_status: 'marital_status',
  military_service: 'military_service',
};

export const FORM_LABELS: Record<string, string> = {
  household_number: '户号',
  address_id: '立户地址编号',
  address_text: '立户地址',
  kind: '户别',
  relation_to_head: '与户主关系',
  cancel_date: '注销日期',
  cancel_reason: '注销原因',
  death_place: '死亡地点',
  migration_certificate: '迁移证编号',
  permit_number: '准迁证编号',
  from_address: '迁出地址',
  destination_address: '迁往地址',
  reason: '申请事由',
  discovery_date: '发现日期',
};

/** The wizard's questions for an item's effect and effect parameter. */
export function effectSpec(effect: string, param: string, majorCategory = ''): EffectSpec {
  switch (effect) {
    case 'birth':
      return { subjects: 'new', many: true, relation: true, fields: [HOUSEHOLD] };
    case 'register':
      return {
        subjects: 'new',
        many: false,
        relation: true,
        // B11: every registration of a person without hukou is due 20 working days after the discovery.
        fields: [HOUSEHOLD, ...(param === 'no_hukou' || majorCategory === '无户口人员登记' ? [{ key: 'discovery_date', label: '发现日期', kind: 'date', required: true }] : [])],
      };
    case 'migrate_in':
      return {
        subjects: 'lookup_or_new',
        many: true,
        relation: true,
        fields: [
          { ...HOUSEHOLD, label: '迁入户号' },
          { key: 'from_address', label: '迁出地址', kind: 'text', placeholder: '原户籍地详细地址' },
          ...(param === 'cross_province'
            ? [
                { key: 'permit_number', label: '准迁证编号', kind: 'text', required: true },
                { key: 'migration_certificate', label: '迁移证编号', kind: 'text', required: true },
              ]
            : []),
        ],
      };
    case 'restore':
      return { subjects: 'lookup_or_new', many: false, relation: true, fields: [{ ...HOUSEHOLD, label: '恢复落户户号' }] };
    case 'migrate_out':
      return {
        subjects: 'lookup',
        many: true,
        relation: false,
        fields: [
          { key: 'destination_address', label: '迁往地址', kind: 'text', required: true, placeholder: '迁入地详细地址' },
          { key: 'migration_certificate', label: '迁移证编号', kind: 'text' },
          { key: 'cancel_date', label: '迁出日期', kind: 'date' },
        ],
      };
    case 'death':
      return {
        subjects: 'lookup',
        many: false,
        relation: false,
        fields: [
          { key: 'cancel_date', label: '死亡日期', kind: 'date', required: true },
          { key: 'death_place', label: '死亡地点', kind: 'text' },
        ],
      };
    case 'cancel':
      return {
        subjects: 'lookup',
        many: false,
        relation: false,
        fields: [
          ...(param ? [] : [{ key: 'cancel_reason', label: '注销原因', kind: 'code', table: 'cancel_reason', required: true }]),
          { key: 'cancel_date', label: '注销日期', kind: 'date', placeholder: '默认为审批当日' },
        ],
      };
    case 'change_main':
      return { subjects: 'lookup', many: false, relation: false, fields: [], changes: param ? [param] : ['name', 'sex', 'ethnicity', 'birth_date', 'id_number'] };
    case 'change_aux':
      return { subjects: 'lookup', many: false, relation: false, fields: [], changes: AUX_CHANGE_FIELDS };
    case 'household_create':
      return {
        subjects: 'lookup',
        many: true,
        relation: true,
        fields: [
          { key: 'address_id', label: '立户地址', kind: 'address', required: true },
          ...(param ? [] : [{ key: 'kind', label: '户别', kind: 'code', table: 'household_kind', required: true }]),
        ],
      };
    case 'household_split':
      return { subjects: 'lookup', many: true, relation: true, fields: [{ key: 'address_id', label: '分户后地址', kind: 'address', required: true }] };
    case 'household_head':
      return { subjects: 'lookup', many: true, relation: true, fields: [{ ...HOUSEHOLD, label: '户号' }] };
    default:
      return { subjects: 'optional', many: true, relation: false, fields: [{ key: 'household_number', label: '户号', kind: 'household' }] };
  }
}

/** A person item's value for display: coded items by name (`codeName(table, code)`). */
export function codedValue(codeName: (table: string, code: string) => string, field: string, v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  if (PERSON_CODE_TABLES[field]) return codeName(PERSON_CODE_TABLES[field], s);
  if (field === 'relation_to_head') return codeName('relation', s);
  return s;
}

/** A case's form as label/value lines; changes read "old → new". */
export function describeForm(form: Record<string, unknown>, valueOf: (field: string, v: unknown) => string): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  const before = (form.old_values || {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(form)) {
    if (k === 'old_values') continue;
    if (k === 'changes' && v && typeof v === 'object') {
      for (const [field, nv] of Object.entries(v as Record<string, unknown>)) {
        const old = field in before ? valueOf(field, before[field]) : '';
        out.push({ label: `变更${NEW_PERSON_LABELS[field] || field}`, value: `${old || '（空）'} → ${valueOf(field, nv)}` });
      }
      continue;
    }
    out.push({ label: FORM_LABELS[k] || k, value: typeof v === 'object' ? JSON.stringify(v) : valueOf(k, v) });
  }
  return out;
}
