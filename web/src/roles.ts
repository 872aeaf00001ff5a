// Roles of the console (src/org/actor.h) with their Chinese titles and the menu each one sees.

export const ROLE_TITLES: Record<string, string> = {
  window_clerk: '窗口受理员',
  police: '户籍民警',
  auxiliary: '辅警',
  station_chief: '派出所所长',
  branch_approver: '分局审批人员',
  city_approver: '市局审批人员',
  supervisor: '监管督查人员',
  community_worker: '社区协管员',
  admin: '系统管理员',
};

export const ALL_ROLES = Object.keys(ROLE_TITLES);
export const OFFICER_ROLES = ALL_ROLES.filter((r) => r !== 'admin');
export const ADMIN_ROLES = ['admin'];
/** Roles that may read the access log (查询留痕) of a person. */
export const ACCESS_LOG_ROLES = ['supervisor', 'admin'];
/** Police roles: they may change a person's auxiliary items and take photos (the API's police-only acts). */
export const POLICE_ROLES = ['police', 'station_chief', 'branch_approver', 'city_approver'];

/** Roles that see 档案管理 (the archive browser, paper track, historical imports). */
export const ARCHIVE_ROLES = ['police', 'station_chief', 'supervisor'];

export interface MenuItem {
  path: string;
  title: string;
  icon: string;
  roles: string[];
}

/** Officers who take chain steps of cases (受理、审核、审批). */
export const CASE_OFFICER_ROLES = ['police', 'station_chief', 'branch_approver', 'city_approver'];

export const MENU: MenuItem[] = [
  { path: '/cases/new', title: '受理', icon: 'DocumentAdd', roles: ['window_clerk'] },
  { path: '/cases/todo', title: '我的待办', icon: 'Bell', roles: ['window_clerk', ...CASE_OFFICER_ROLES] },
  { path: '/cases/all', title: '全部办件', icon: 'Files', roles: ['window_clerk', ...CASE_OFFICER_ROLES, 'supervisor'] },
  { path: '/cases/overdue', title: '超期办件', icon: 'AlarmClock', roles: [...CASE_OFFICER_ROLES, 'supervisor'] },
  { path: '/cases/stats', title: '办件统计', icon: 'DataAnalysis', roles: ['supervisor'] },
  { path: '/persons', title: '人口查询', icon: 'Search', roles: OFFICER_ROLES },
  { path: '/addresses', title: '地址树', icon: 'Location', roles: OFFICER_ROLES },
  { path: '/archive', title: '档案管理', icon: 'FolderOpened', roles: ARCHIVE_ROLES },
  { path: '/audit', title: '审计追溯', icon: 'Stamp', roles: ACCESS_LOG_ROLES },
  { path: '/users', title: '用户管理', icon: 'User', roles: ADMIN_ROLES },
  { path: '/codes', title: '代码表', icon: 'Collection', roles: ADMIN_ROLES },
  { path: '/catalog', title: '事项管理', icon: 'Tickets', roles: ADMIN_ROLES },
  { path: '/calendar', title: '节假日管理', icon: 'Calendar', roles: ADMIN_ROLES },
];

export function menuFor(role: string | undefined): MenuItem[] {
  return MENU.filter((m) => role !== undefined && m.roles.includes(role));
}

export function roleTitle(role: string): string {
  return ROLE_TITLES[role] || role;
}

export const STATUS_TITLES: Record<string, string> = {
  active: '正常',
  cancelled: '注销',
};

export const ACTION_TITLES: Record<string, string> = {
  create: '登记',
  register: '登记',
  supplementary: '补录',
  update: '变更',
  change: '变更',
  patch: '修改',
  correct: '更正',
  change_main: '主项变更',
  cancel: '注销',
  restore: '恢复',
  death_reported: '死亡申报',
  move_in: '迁入',
  move_out: '迁出',
  move: '迁移',
  photo: '采集照片',
  import: '导入',
  read: '查询',
  view: '查看',
  search: '检索',
  export: '导出',
  print: '打印',
};

export function actionTitle(action: string): string {
  return ACTION_TITLES[action] || action;
}
