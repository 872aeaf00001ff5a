// Development mock of the hukou API (docs/api.md) that also serves web/dist.
// Plain node, no dependencies. Run: `npm run mock` (PORT env, default 8090).
// Demo logins (password demo1234): police1 (户籍民警), super1 (监管督查), admin1 (系统管理员).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_DIST = path.resolve(here, '..', 'dist');

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function checkDigit(body17) {
  const sum = [...body17].reduce((s, c, i) => s + Number(c) * WEIGHTS[i], 0);
  return '10X98765432'[sum % 11];
}
function idNumber(division, birth, seq, male) {
  let s = seq * 2 + (male ? 1 : 0);
  const body = `${division}${birth.replaceAll('-', '')}${String(s).padStart(3, '0')}`;
  return body + checkDigit(body);
}
const mask = (n) => `${n.slice(0, 6)}${'*'.repeat(8)}${n.slice(-4)}`;

const UNITS = [
  { code: '420700000000', name: '鄂州市公安局', kind: 'city_bureau', parent_code: null, division_code: '420700' },
  { code: '420704000000', name: '鄂城区公安分局', kind: 'branch', parent_code: '420700000000', division_code: '420704' },
  { code: '420704510000', name: '凤凰派出所', kind: 'station', parent_code: '420704000000', division_code: '420704' },
  { code: '420704520000', name: '古楼派出所', kind: 'station', parent_code: '420704000000', division_code: '420704' },
  { code: '420703000000', name: '华容区公安分局', kind: 'branch', parent_code: '420700000000', division_code: '420703' },
];
const unitName = (code) => UNITS.find((u) => u.code === code)?.name || '';
const ROLE_TITLES = {
  window_clerk: '窗口受理员', police: '户籍民警', auxiliary: '辅警', station_chief: '派出所所长',
  branch_approver: '分局审批人员', city_approver: '市局审批人员', supervisor: '监管督查人员',
  community_worker: '社区协管员', admin: '系统管理员',
};

function hashPassword(p) {
  return crypto.createHash('sha256').update(`mock:${p}`).digest('hex');
}

const users = [
  { id: 1, login: 'police1', name: '李建国', role: 'police', unit_code: '420704510000', police_number: '072345', pw: hashPassword('demo1234') },
  { id: 2, login: 'super1', name: '赵敏', role: 'supervisor', unit_code: '420700000000', police_number: '070001', pw: hashPassword('demo1234') },
  { id: 3, login: 'admin1', name: '系统管理员', role: 'admin', unit_code: '420700000000', police_number: null, pw: hashPassword('demo1234') },
  { id: 4, login: 'clerk1', name: '周小红', role: 'window_clerk', unit_code: '420704520000', police_number: null, pw: hashPassword('demo1234') },
];
const publicUser = (u) => ({
  id: u.id, login: u.login, name: u.name, role: u.role, role_title: ROLE_TITLES[u.role],
  unit_code: u.unit_code, unit_name: unitName(u.unit_code), police_number: u.police_number,
});

// Address tree: county → town (街道) → community.
const TREE = [
  { code: '420702', name: '梁子湖区', kind: 'county', parent: null },
  { code: '420703', name: '华容区', kind: 'county', parent: null },
  { code: '420704', name: '鄂城区', kind: 'county', parent: null },
  { code: '420704001', name: '凤凰街道', kind: 'town', parent: '420704' },
  { code: '420704002', name: '古楼街道', kind: 'town', parent: '420704' },
  { code: '420703100', name: '华容镇', kind: 'town', parent: '420703' },
  { code: '420704001001', name: '滨湖社区', kind: 'community', parent: '420704001' },
  { code: '420704001002', name: '南浦社区', kind: 'community', parent: '420704001' },
  { code: '420704002001', name: '寿昌社区', kind: 'community', parent: '420704002' },
  { code: '420703100001', name: '龙王社区', kind: 'community', parent: '420703100' },
];
const STREETS = {
  '420704001001': '湖北省鄂州市鄂城区凤凰街道滨湖社区滨湖南路',
  '420704001002': '湖北省鄂州市鄂城区凤凰街道南浦社区南浦路',
  '420704002001': '湖北省鄂州市鄂城区古楼街道寿昌社区寿昌大道',
  '420703100001': '湖北省鄂州市华容区华容镇龙王社区龙王路',
};

// Auxiliary code tables (a subset of data/codes/*.tsv), needed before the persons are built.
const AUX_TABLES = {
  religion: { title: '宗教信仰', entries: [['00', '无宗教信仰'], ['10', '佛教'], ['20', '道教'], ['30', '伊斯兰教'], ['40', '天主教'], ['50', '基督教'], ['99', '其他']] },
  education: { title: '文化程度 (GB/T 4658)', entries: [['11', '博士研究生毕业'], ['14', '硕士研究生毕业'], ['21', '大学本科毕业'], ['31', '大学专科毕业'], ['41', '中等专科毕业'], ['61', '普通高中毕业'], ['71', '初中毕业'], ['81', '小学毕业'], ['90', '其他']] },
  marital_status: { title: '婚姻状况 (GB/T 2261.2)', entries: [['10', '未婚'], ['20', '已婚'], ['21', '初婚'], ['22', '再婚'], ['23', '复婚'], ['30', '丧偶'], ['40', '离婚'], ['90', '未说明的婚姻状况']] },
  military_service: { title: '兵役状况 (GB/T 2261.5)', entries: [['0', '未服兵役'], ['1', '退出现役'], ['2', '士兵预备役'], ['3', '军官预备役'], ['4', '服现役'], ['9', '不宜服兵役']] },
};
for (const t of Object.values(AUX_TABLES)) t.entries = t.entries.map(([code, name]) => ({ code, name }));
const codeOf = (table, name) => (name ? AUX_TABLES[table].entries.find((e) => e.name === name)?.code || '' : '');
const nameOf = (table, code) => AUX_TABLES[table]?.entries.find((e) => e.code === code)?.name || '';

// Persons and households.
const ETHNIC = ['汉族', '汉族', '汉族', '回族', '土家族'];
const RELATIONS = { '02': '户主', '10': '配偶', '20': '子', '30': '女', '50': '父亲', '51': '母亲' };
const persons = [];
const households = [];
const addresses = [];
const changes = new Map(); // person id → Change[] (oldest first)
const accessLog = new Map(); // person id → entries
let nextId = 1001;

function addHousehold(number, community, doorNo, kind, members) {
  const addr = { id: addresses.length + 1, full_text: `${STREETS[community]}${doorNo}号`, community_code: community, household_numbers: [number] };
  addresses.push(addr);
  const station = community.startsWith('420704002') ? '420704520000' : '420704510000';
  const hh = { household_number: number, kind, kind_name: kind === 'family' ? '家庭户' : '集体户', status: 'active', address: addr, station_code: station, station_name: unitName(station), members: [] };
  households.push(hh);
  for (const m of members) {
    const id = nextId++;
    const p = {
      id,
      id_number: idNumber(m.division || '420704', m.birth, id % 500, m.sex === '1'),
      name: m.name,
      former_names: m.former || [],
      sex: m.sex,
      sex_name: m.sex === '1' ? '男' : '女',
      ethnicity: '01',
      ethnicity_name: m.eth || '汉族',
      birth_date: m.birth,
      native_place: '湖北省鄂州市',
      birthplace: '湖北省鄂州市鄂城区',
      religion: codeOf('religion', m.religion ?? '无宗教信仰'),
      religion_name: m.religion ?? '无宗教信仰',
      education: codeOf('education', m.edu ?? '大学本科毕业'),
      education_name: m.edu ?? '大学本科毕业',
      marital_status: codeOf('marital_status', m.marital ?? '已婚'),
      marital_status_name: m.marital ?? '已婚',
      military_service: codeOf('military_service', m.military ?? ''),
      military_service_name: m.military ?? '',
      workplace: m.work ?? '',
      occupation: m.job ?? '',
      phone: m.phone ?? '',
      father: m.father || null,
      mother: m.mother || null,
      guardian: null,
      spouse: m.spouse || null,
      photo_url: null,
      household: { number, kind, kind_name: hh.kind_name, address: addr.full_text },
      relation_to_head: m.rel,
      relation_name: RELATIONS[m.rel],
      status: m.status || 'active',
      cancel_reason: m.status === 'cancelled' ? '1' : null,
      cancel_reason_name: m.status === 'cancelled' ? '死亡' : null,
      cancel_date: m.status === 'cancelled' ? '2021-03-02' : null,
      station_code: station,
      station_name: unitName(station),
      registered_at: '2008-06-01T09:00:00Z',
      updated_at: '2023-05-12T02:30:00Z',
      version: 1,
    };
    persons.push(p);
    hh.members.push(p);
    changes.set(id, [
      { field: 'registration', field_name: '户口登记', old_value: null, new_value: '首次登记', changed_at: '2008-06-01T09:00:00Z', action: 'create', operator: { id: 1, name: '李建国' } },
      ...(m.changes || []),
    ]
      .sort((a, b) => a.changed_at.localeCompare(b.changed_at))
      .map((c, i) => ({ id: id * 100 + i, effective_date: c.changed_at.slice(0, 10), case_id: c.case_id || null, ...c })));
    accessLog.set(id, []);
  }
}

addHousehold('420704001000101', '420704001001', 12, 'family', [
  { name: '张三', sex: '1', birth: '1975-04-12', rel: '02', work: '鄂州市第一中学', job: '教师', phone: '13907110001',
    changes: [
      { field: 'phone', field_name: '联系电话', old_value: '13907119999', new_value: '13907110001', changed_at: '2019-08-20T03:10:00Z', action: 'update', operator: { id: 1, name: '李建国' }, case_id: 'YW2019082000012' },
      { field: 'workplace', field_name: '服务处所', old_value: '鄂州市葛店中学', new_value: '鄂州市第一中学', changed_at: '2022-02-11T06:45:00Z', action: 'update', operator: { id: 1, name: '李建国' } },
    ] },
  { name: '刘芳', sex: '2', birth: '1977-09-30', rel: '10', former: ['刘小芳'], work: '鄂州市中心医院', job: '护士', phone: '13907110002' },
  { name: '张小明', sex: '1', birth: '2005-01-18', rel: '20', marital: '未婚', edu: '普通高中毕业', work: '', phone: '', military: '' },
]);
addHousehold('420704001000102', '420704001001', 14, 'family', [
  { name: '王𠀾', sex: '1', birth: '1968-11-03', rel: '02', former: ['王山'], work: '鄂州市钢铁厂', job: '工人', phone: '13800271234',
    changes: [
      { field: 'name', field_name: '姓名', old_value: '王山', new_value: '王𠀾', changed_at: '2016-05-09T01:20:00Z', action: 'correct', operator: { id: 1, name: '李建国' }, case_id: 'YW2016050900003' },
      { field: 'marital_status', field_name: '婚姻状况', old_value: '未婚', new_value: '已婚', changed_at: '2010-10-01T02:00:00Z', action: 'update', operator: { id: 1, name: '李建国' } },
    ] },
  { name: '陈秀英', sex: '2', birth: '1970-02-14', rel: '10', religion: '', phone: '' },
  { name: '王五', sex: '1', birth: '1940-07-07', rel: '50', status: 'cancelled',
    changes: [{ field: 'status', field_name: '户口状态', old_value: '正常', new_value: '注销（死亡）', changed_at: '2021-03-02T08:00:00Z', action: 'cancel', operator: { id: 1, name: '李建国' }, case_id: 'YW2021030200007' }] },
]);
addHousehold('420704002000201', '420704002001', 3, 'family', [
  { name: '张三丰', sex: '1', birth: '1988-12-25', rel: '02', work: '', job: '', phone: '' , marital: '', military: '' },
  { name: '马丽', sex: '2', birth: '1990-03-08', rel: '10', eth: '回族', religion: '伊斯兰教' },
]);
addHousehold('420704001000201', '420704001002', 8, 'collective', [
  { name: '龔小龍', sex: '1', birth: '1999-06-01', rel: '02', eth: '土家族', work: '鄂州职业大学', job: '学生', marital: '未婚' },
]);
const SURNAMES = ['李', '王', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['伟', '静', '磊', '敏', '洋', '艳', '勇', '娟', '军', '霞', '杰', '丽'];
for (let i = 0; i < 12; i++) {
  const num = `420704001001${String(300 + i).padStart(3, '0')}`;
  addHousehold(num, i % 2 ? '420704001001' : '420704001002', 30 + i, 'family', [
    { name: `${SURNAMES[i % 10]}${GIVEN[i]}`, sex: i % 2 ? '2' : '1', birth: `19${60 + i * 3}-0${(i % 9) + 1}-1${i % 9}`, rel: '02', eth: ETHNIC[i % 5], phone: `1390711${String(1000 + i)}` },
    { name: `张${GIVEN[(i + 3) % 12]}`, sex: i % 2 ? '1' : '2', birth: `19${62 + i * 3}-1${i % 3}-0${(i % 9) + 1}`, rel: '10' },
  ]);
}

// Apply history backwards to show a person as of a date.
function personAsOf(p, asOf) {
  const copy = structuredClone(p);
  if (!asOf) return { ...copy, as_of: null };
  const end = `${asOf}T23:59:59Z`;
  const hist = [...(changes.get(p.id) || [])].reverse();
  const map = { phone: 'phone', workplace: 'workplace', name: 'name', marital_status: 'marital_status_name' };
  for (const c of hist) {
    if (c.changed_at <= end) break;
    if (c.field === 'status') {
      copy.status = 'active';
      copy.cancel_reason = copy.cancel_reason_name = copy.cancel_date = null;
    } else if (map[c.field]) copy[map[c.field]] = c.old_value ?? '';
  }
  return { ...copy, as_of: asOf };
}

const MISSING = [
  ['marital_status_name', '婚姻状况'], ['workplace', '服务处所'], ['military_service_name', '兵役状况'],
  ['religion', '宗教信仰'], ['phone', '联系电话'], ['photo_url', '照片'],
];
function missingItems(p) {
  const out = MISSING.filter(([k]) => !p[k]).map(([, name]) => name);
  if (!p.father && !p.mother && !p.guardian) out.push('父母或监护人');
  return out;
}

const summary = (p) => ({
  id: p.id, id_number_masked: mask(p.id_number), name: p.name, sex: p.sex, sex_name: p.sex_name,
  birth_date: p.birth_date, ethnicity_name: p.ethnicity_name, household_number: p.household.number,
  address: p.household.address, status: p.status, station_code: p.station_code,
});

const CODE_TABLES = {
  sex: { title: '性别（GB/T 2261.1）', entries: [{ code: '0', name: '未知的性别' }, { code: '1', name: '男' }, { code: '2', name: '女' }, { code: '9', name: '未说明的性别' }] },
  ethnicity: { title: '民族（GB 3304）', entries: [{ code: '01', name: '汉族' }, { code: '02', name: '蒙古族' }, { code: '03', name: '回族' }, { code: '04', name: '藏族' }, { code: '15', name: '土家族' }] },
  relation: { title: '家庭关系（GB/T 4761）', entries: Object.entries(RELATIONS).map(([code, name]) => ({ code, name })) },
  ...AUX_TABLES,
  cancel_reason: { title: '注销原因', entries: [{ code: '1', name: '死亡' }, { code: '2', name: '迁出' }, { code: '3', name: '出国（境）定居' }, { code: '4', name: '服兵役' }, { code: '5', name: '重复登记' }, { code: '9', name: '其他' }] },
};

// ---------------------------------------------------------------- HTTP plumbing
const sessions = new Map(); // token → user id

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}
const fail = (res, status, code, message, field) => send(res, status, { error: { code, message, ...(field ? { field } : {}) } });

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      try {
        resolve(data ? JSON.parse(data) : {});
      } catch {
        resolve(null);
      }
    });
  });
}

/** The raw request body as a Buffer; null when it exceeds `limit` bytes. */
function readRaw(req, limit) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
  });
}

function currentUser(req) {
  const m = /(?:^|;\s*)hukou_session=([^;]+)/.exec(req.headers.cookie || '');
  const id = m && sessions.get(m[1]);
  return id ? users.find((u) => u.id === id) : null;
}

function paginate(res, list, q) {
  const page = Math.max(1, Number(q.get('page')) || 1);
  const pageSize = Math.min(100, Math.max(1, Number(q.get('page_size')) || 20));
  send(res, 200, { items: list.slice((page - 1) * pageSize, page * pageSize), total: list.length, page, page_size: pageSize });
}

function findPerson(key) {
  return persons.find((p) => String(p.id) === key || p.id_number === key.toUpperCase());
}

const OFFICERS = Object.keys(ROLE_TITLES).filter((r) => r !== 'admin');
const POLICE = ['police', 'station_chief', 'branch_approver', 'city_approver'];

// PATCH /persons/{key}: auxiliary items as the real server names them, with their Chinese titles.
const AUX_ITEMS = {
  phone: '联系电话', workplace: '服务处所', occupation: '职业', religion: '宗教信仰', education: '文化程度',
  marital_status: '婚姻状况', military_service: '兵役状况', native_place: '籍贯', birthplace: '出生地',
  father_name: '父亲姓名', father_id_number: '父亲公民身份号码', mother_name: '母亲姓名', mother_id_number: '母亲公民身份号码',
  guardian_name: '监护人姓名', guardian_id_number: '监护人公民身份号码', spouse_name: '配偶姓名', spouse_id_number: '配偶公民身份号码',
};
const KIN_RE = /^(father|mother|guardian|spouse)_(name|id_number)$/;
const photos = new Map(); // person id → {id, mime, bytes}
let nextFileId = 9001;
const MAX_PHOTO = 512 * 1024;

function auxValue(person, item) {
  const k = KIN_RE.exec(item);
  if (k) return person[k[1]]?.[k[2]] || '';
  return person[item] || '';
}

// Readable history value: coded items read `name（code）` like the real server.
function shown(item, value) {
  if (!value || !AUX_TABLES[item]) return value;
  return `${nameOf(item, value) || value}（${value}）`;
}

/** Validates one PATCH item; returns an error message or ''. */
function checkAux(item, value) {
  if (typeof value !== 'string') return `${item} 应为字符串`;
  if (!value) return '';
  if (item === 'phone' && !/^[0-9+\- ]{5,20}$/.test(value)) return '联系电话只能含有数字、+、-，应为5到20位';
  if (AUX_TABLES[item] && !nameOf(item, value)) return `${AUX_TABLES[item].title.replace(/ \(.*$/, '')}代码无效：${value}`;
  if (item.endsWith('_id_number')) {
    if (value.length !== 18) return '公民身份号码应为18位';
    if (checkDigit(value.slice(0, 17)) !== value[17].toUpperCase()) return '公民身份号码校验码错误';
  }
  if (item.endsWith('_name') && /[0-9]/.test(value)) return '姓名不能含有数字或控制字符';
  return '';
}

function recordChange(person, user, field, fieldName, oldValue, newValue, action, reason) {
  const list = changes.get(person.id);
  const now = new Date().toISOString();
  list.push({
    id: person.id * 100 + list.length, field, field_name: fieldName, old_value: oldValue, new_value: newValue,
    reason, changed_at: now, effective_date: now.slice(0, 10), operator: { id: user.id, name: user.name }, case_id: null, action,
  });
}

function patchPerson(res, user, person, body) {
  if (!body || typeof body !== 'object') return fail(res, 400, 'request.invalid_json', '请求内容不是有效的JSON');
  if (typeof body.reason !== 'string' || !body.reason.trim()) return fail(res, 400, 'request.reason', '请填写变更事由', 'reason');
  if (body.version !== undefined && !Number.isInteger(body.version)) return fail(res, 400, 'request.version', 'version 应为整数', 'version');
  const items = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'reason' || k === 'version') continue;
    if (['father', 'mother', 'guardian', 'spouse'].includes(k) && v && typeof v === 'object') {
      for (const [sub, sv] of Object.entries(v)) items[`${k}_${sub}`] = sv;
    } else if (!AUX_ITEMS[k]) {
      return fail(res, 400, 'request.field', `该项不能在此修改：${k}`, k);
    } else items[k] = v;
  }
  if (Object.keys(items).length === 0) return fail(res, 400, 'request.empty', '没有要修改的项', 'phone');
  for (const [k, v] of Object.entries(items)) {
    if (!AUX_ITEMS[k]) return fail(res, 400, 'request.field', `不支持的字段：${k}`, k);
    const problem = checkAux(k, v);
    if (problem) return fail(res, 400, `person.${k}`, problem, k);
  }
  if (body.version !== undefined && body.version !== person.version) {
    return fail(res, 409, 'person.version_conflict', '该人员信息已被他人修改，请刷新后重试', 'version');
  }
  for (const [k, v] of Object.entries(items)) {
    const old = auxValue(person, k);
    if (old === v) continue;
    const kin = KIN_RE.exec(k);
    if (kin) person[kin[1]] = { ...(person[kin[1]] || {}), [kin[2]]: v };
    else person[k] = v;
    if (AUX_TABLES[k]) person[`${k}_name`] = nameOf(k, v);
    recordChange(person, user, k, AUX_ITEMS[k], shown(k, old), shown(k, v), 'update', body.reason.trim());
  }
  person.version++;
  person.updated_at = new Date().toISOString();
  return send(res, 200, { ...personAsOf(person, null), missing_items: missingItems(person) });
}

async function putPhoto(req, res, user, person) {
  const bytes = await readRaw(req, MAX_PHOTO);
  if (bytes === null) return fail(res, 400, 'photo.too_large', '照片不能超过 512 KB', 'photo');
  if (bytes.length === 0) return fail(res, 400, 'photo.empty', '请上传照片', 'photo');
  const jpeg = bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = bytes.length > 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (!jpeg && !png) return fail(res, 400, 'photo.type', '照片须为 JPEG 或 PNG 图像（按文件内容判断）', 'photo');
  const old = photos.get(person.id);
  const fileId = nextFileId++;
  photos.set(person.id, { id: fileId, mime: jpeg ? 'image/jpeg' : 'image/png', bytes });
  person.photo_url = `/api/v1/persons/${person.id}/photo`;
  person.version++;
  person.updated_at = new Date().toISOString();
  recordChange(person, user, 'photo_file_id', '照片', old ? String(old.id) : '', String(fileId), 'photo', '');
  return send(res, 200, { ...personAsOf(person, null), missing_items: missingItems(person) });
}

// The public catalogue, read-only, from the shipped data/catalog/items.json.
const CATALOG = JSON.parse(fs.readFileSync(path.resolve(here, '..', '..', 'data', 'catalog', 'items.json'), 'utf8')).items.map(
  (i) => ({ ...i, version: 1, active: true, category: i.major_category, fee: i.fee_fen ? `${(i.fee_fen / 100).toFixed(2)} 元` : '免费' }),
);
function catalogRead(res, p, q) {
  if (p === '/catalog/items') {
    const category = q.get('category') || '';
    const word = q.get('q') || '';
    const items = CATALOG.filter((i) => (!category || i.major_category === category) && (!word || JSON.stringify(i).includes(word)));
    return send(res, 200, { items, total: items.length });
  }
  if (p === '/catalog/categories') {
    const names = [...new Set(CATALOG.map((i) => i.major_category))];
    const items = names.map((name) => {
      const of = CATALOG.filter((i) => i.major_category === name);
      return { name, item_count: of.length, minor_categories: [...new Set(of.map((i) => i.minor_category))] };
    });
    return send(res, 200, { items, total: items.length });
  }
  const item = CATALOG.find((i) => `/catalog/items/${i.code}` === p);
  return item ? send(res, 200, item) : fail(res, 404, 'catalog.not_found', '没有该事项');
}

async function api(req, res, url) {
  const p = url.pathname.replace(/^\/api\/v1/, '');
  const q = url.searchParams;
  const method = req.method;

  if (p.startsWith('/catalog/') && method === 'GET') return catalogRead(res, p, q);

  if (p === '/health') return send(res, 200, { status: 'ok', backend: 'mock' });
  if (p === '/codes' && method === 'GET') return send(res, 200, { tables: Object.entries(CODE_TABLES).map(([id, t]) => ({ id, title: t.title })) });
  if (p.startsWith('/codes/') && method === 'GET') {
    const id = decodeURIComponent(p.slice(7));
    const t = CODE_TABLES[id];
    return t ? send(res, 200, { id, ...t }) : fail(res, 404, 'codes.not_found', '未找到该代码表');
  }
  if (p === '/auth/login' && method === 'POST') {
    const body = await readBody(req);
    const u = body && users.find((x) => x.login === body.login);
    if (!u || u.pw !== hashPassword(body.password || '')) return fail(res, 401, 'auth.invalid_credentials', '账号或密码错误');
    const token = crypto.randomBytes(16).toString('hex');
    sessions.set(token, u.id);
    return send(res, 200, { user: publicUser(u) }, { 'Set-Cookie': `hukou_session=${token}; Path=/; HttpOnly; SameSite=Strict` });
  }

  const user = currentUser(req);
  if (!user) return fail(res, 401, 'auth.required', '请先登录');
  const need = (roles) => {
    if (roles.includes(user.role)) return true;
    fail(res, 403, 'auth.forbidden', '无权执行该操作');
    return false;
  };

  if (p === '/auth/logout' && method === 'POST') {
    const m = /(?:^|;\s*)hukou_session=([^;]+)/.exec(req.headers.cookie || '');
    if (m) sessions.delete(m[1]);
    return send(res, 200, {}, { 'Set-Cookie': 'hukou_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict' });
  }
  if (p === '/auth/me') return send(res, 200, { user: publicUser(user) });
  if (p === '/units') return send(res, 200, { items: UNITS });

  if (p === '/persons' && method === 'GET') {
    if (!need(OFFICERS)) return;
    const keys = ['id_number', 'name', 'former_name', 'address', 'household_number', 'status'];
    if (!keys.some((k) => q.get(k))) return fail(res, 400, 'search.no_criteria', '请至少输入一个查询条件');
    const idn = (q.get('id_number') || '').toUpperCase();
    if (idn && idn.length !== 18) return fail(res, 400, 'id_number.length', '公民身份号码应为18位', 'id_number');
    const name = q.get('name');
    const prefix = q.get('name_mode') === 'prefix';
    let list = persons.filter((x) =>
      (!idn || [...idn].every((c, i) => c === '?' || c === x.id_number[i])) &&
      (!name || (prefix ? x.name.startsWith(name) : x.name === name)) &&
      (!q.get('former_name') || x.former_names.includes(q.get('former_name'))) &&
      (!q.get('address') || x.household.address.includes(q.get('address'))) &&
      (!q.get('household_number') || x.household.number === q.get('household_number')) &&
      (!q.get('status') || x.status === q.get('status')));
    return paginate(res, list.map(summary), q);
  }
  let m = /^\/persons\/([^/]+)(\/photo)?$/.exec(p);
  if (m && (method === 'PATCH' || method === 'PUT')) {
    if ((method === 'PATCH') === Boolean(m[2])) return fail(res, 404, 'route.not_found', '接口不存在');
    if (!need(POLICE)) return;
    const person = findPerson(decodeURIComponent(m[1]));
    if (!person) return fail(res, 404, 'person.not_found', '未找到该人员', 'id_number');
    if (method === 'PUT') return putPhoto(req, res, user, person);
    return patchPerson(res, user, person, await readBody(req));
  }
  if (m && m[2] && method === 'GET') {
    if (!need(OFFICERS)) return;
    const person = findPerson(decodeURIComponent(m[1]));
    if (!person) return fail(res, 404, 'person.not_found', '未找到该人员', 'id_number');
    const photo = photos.get(person.id);
    if (!photo) return fail(res, 404, 'photo.not_found', '该人员尚未采集照片', 'photo');
    accessLog.get(person.id).push({
      at: new Date().toISOString(), user: { id: user.id, name: user.name, login: user.login }, action: 'read_photo',
      purpose: q.get('purpose') || '', client: req.socket.remoteAddress,
    });
    res.writeHead(200, { 'Content-Type': photo.mime, 'Cache-Control': 'private, no-store' });
    return res.end(photo.bytes);
  }
  m = /^\/persons\/([^/]+)(\/history|\/access-log)?$/.exec(p);
  if (m && method === 'GET') {
    if (!need([...OFFICERS, 'admin'])) return;
    const person = findPerson(decodeURIComponent(m[1]));
    if (!person) return fail(res, 404, 'person.not_found', '未找到该人员', 'id_number');
    if (m[2] === '/history') return send(res, 200, { items: [...changes.get(person.id)].reverse() });
    if (m[2] === '/access-log') {
      if (!need(['supervisor', 'admin'])) return;
      return send(res, 200, { items: [...accessLog.get(person.id)].reverse() });
    }
    const asOf = q.get('as_of');
    if (asOf && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) return fail(res, 400, 'as_of.invalid', '日期格式应为 YYYY-MM-DD', 'as_of');
    accessLog.get(person.id).push({
      at: new Date().toISOString(), user: { id: user.id, name: user.name, login: user.login }, action: 'read',
      purpose: q.get('purpose') || '', client: req.socket.remoteAddress,
    });
    const view = personAsOf(person, asOf);
    return send(res, 200, { ...view, missing_items: missingItems(view) });
  }
  if (p === '/households' && method === 'GET') {
    if (!need(OFFICERS)) return;
    const list = households.filter((h) =>
      (!q.get('household_number') || h.household_number === q.get('household_number')) &&
      (!q.get('address') || h.address.full_text.includes(q.get('address'))));
    return paginate(res, list.map((h) => ({ household_number: h.household_number, kind: h.kind, kind_name: h.kind_name, address: h.address.full_text, member_count: h.members.length })), q);
  }
  m = /^\/households\/([^/]+)(\/history)?$/.exec(p);
  if (m && method === 'GET') {
    if (!need([...OFFICERS, 'admin'])) return;
    const hh = households.find((h) => h.household_number === decodeURIComponent(m[1]));
    if (!hh) return fail(res, 404, 'household.not_found', '未找到该户');
    if (m[2]) {
      const items = hh.members.flatMap((x) => changes.get(x.id).map((c) => ({ ...c, field_name: `${x.name}：${c.field_name}` })));
      return send(res, 200, { items: items.sort((a, b) => b.changed_at.localeCompare(a.changed_at)) });
    }
    const asOf = q.get('as_of') || null;
    const members = hh.members.map((x) => personAsOf(x, asOf)).map((x) => ({ ...summary(x), relation_to_head: x.relation_to_head, relation_name: x.relation_name }));
    return send(res, 200, { ...hh, members, as_of: asOf });
  }
  if (p === '/addresses/tree' && method === 'GET') {
    if (!need(OFFICERS)) return;
    const parent = q.get('parent') || null;
    const items = TREE.filter((n) => n.parent === parent).map((n) => ({ code: n.code, name: n.name, kind: n.kind, has_children: TREE.some((c) => c.parent === n.code) }));
    return send(res, 200, { items });
  }
  if (p === '/addresses' && method === 'GET') {
    if (!need(OFFICERS)) return;
    const list = addresses.filter((a) => (!q.get('community_code') || a.community_code === q.get('community_code')) && (!q.get('q') || a.full_text.includes(q.get('q'))));
    return paginate(res, list, q);
  }
  if (p === '/users' && method === 'GET') {
    if (!need(['admin'])) return;
    return paginate(res, users.map(publicUser), q);
  }
  if (p === '/users' && method === 'POST') {
    if (!need(['admin'])) return;
    const b = await readBody(req);
    if (!b) return fail(res, 400, 'request.invalid_json', '请求内容不是有效的JSON');
    for (const [k, label] of [['login', '账号'], ['password', '密码'], ['name', '姓名'], ['role', '角色'], ['unit_code', '所属单位']]) {
      if (!b[k]) return fail(res, 400, `user.${k}_required`, `${label}不能为空`, k);
    }
    if (!ROLE_TITLES[b.role]) return fail(res, 400, 'user.role_invalid', '角色无效', 'role');
    if (!UNITS.some((u) => u.code === b.unit_code)) return fail(res, 400, 'user.unit_invalid', '单位不存在', 'unit_code');
    if (users.some((u) => u.login === b.login)) return fail(res, 409, 'user.login_taken', '该账号已存在', 'login');
    const u = { id: users.length + 1, login: b.login, name: b.name, role: b.role, unit_code: b.unit_code, police_number: b.police_number || null, pw: hashPassword(b.password) };
    users.push(u);
    return send(res, 201, publicUser(u));
  }
  return fail(res, 404, 'route.not_found', '接口不存在');
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf',
};

function serveStatic(res, dist, pathname) {
  let file = path.normalize(path.join(dist, decodeURIComponent(pathname)));
  if (!file.startsWith(dist)) file = path.join(dist, 'index.html');
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(dist, 'index.html');
  if (!fs.existsSync(file)) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end('web/dist 不存在，请先运行 npm run build');
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}

/** Starts the mock; resolves to {server, url}. port 0 picks a free port. */
export function startMock({ port = 8090, host = '127.0.0.1', dist = DEFAULT_DIST, quiet = false } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://mock');
    if (!quiet) console.log(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname.startsWith('/api/')) {
      api(req, res, url).catch((e) => fail(res, 500, 'internal', `内部错误：${e.message}`));
    } else {
      serveStatic(res, dist, url.pathname);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, url: `http://${host}:${server.address().port}` }));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { url } = await startMock({ port: Number(process.env.PORT || 8090) });
  console.log(`hukou mock listening on ${url} (logins police1 / super1 / admin1, password demo1234)`);
}
