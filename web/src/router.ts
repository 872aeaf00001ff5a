import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { ensureSession, session } from './session';
import { ADMIN_ROLES, OFFICER_ROLES, ALL_ROLES, menuFor } from './roles';
import { ARCHIVE_ROLES } from './roles';
import { setUnauthorizedHandler } from './api';
import { CASE_OFFICER_ROLES } from './roles';
import { ACCESS_LOG_ROLES } from './roles';
import ConsoleLayout from './layouts/ConsoleLayout.vue';
import LoginView from './views/LoginView.vue';

const CASE_ROLES = ['window_clerk', 'supervisor', ...CASE_OFFICER_ROLES];

// Hash history: the server only has to serve index.html at "/".
// The public portal is also reachable as a plain path (/portal/catalog): the server answers it with
// index.html, and the path moves into the hash before the router starts.
if (window.location.pathname.startsWith('/portal') && !window.location.hash) {
  window.history.replaceState(null, '', `/#${window.location.pathname}${window.location.search}`);
}

const routes: RouteRecordRaw[] = [
  {
    path: '/portal',
    component: () => import('./layouts/PortalLayout.vue'),
    meta: { public: true },
    children: [
      { path: '', name: 'portal-home', component: () => import('./views/portal/PortalHome.vue'), meta: { title: '户政服务网上大厅' } },
      { path: 'catalog', name: 'portal-catalog', component: () => import('./views/portal/PortalCatalog.vue'), meta: { title: '办事指南' } },
      { path: 'progress', name: 'portal-progress', component: () => import('./views/portal/PortalProgress.vue'), meta: { title: '进度查询' } },
    ],
  },
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: '登录' } },
  {
    path: '/verify/:docNo?',
    name: 'verify-document',
    component: () => import('./views/VerifyDocument.vue'),
    meta: { public: true, title: '文书真伪核验' },
  },
  {
    path: '/',
    component: ConsoleLayout,
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeRedirect.vue'), meta: { roles: ALL_ROLES } },
      {
        path: 'persons',
        name: 'persons',
        component: () => import('./views/PersonSearch.vue'),
        meta: { title: '人口查询', crumbs: ['人口信息', '人口查询'], roles: OFFICER_ROLES },
      },
      {
        path: 'persons/:key',
        name: 'person',
        component: () => import('./views/PersonDetail.vue'),
        meta: { title: '人员详情', crumbs: ['人口信息', '人口查询', '人员详情'], roles: ALL_ROLES },
      },
      {
        path: 'households/:number',
        name: 'household',
        component: () => import('./views/HouseholdDetail.vue'),
        meta: { title: '户详情', crumbs: ['人口信息', '户详情'], roles: ALL_ROLES },
      },
      {
        path: 'addresses',
        name: 'addresses',
        component: () => import('./views/AddressTree.vue'),
        meta: { title: '地址树', crumbs: ['人口信息', '地址树'], roles: OFFICER_ROLES },
      },
      {
        path: 'archive',
        name: 'archive',
        component: () => import('./views/ArchiveAdmin.vue'),
        meta: { title: '档案管理', crumbs: ['电子档案', '档案管理'], roles: ARCHIVE_ROLES },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./views/AuditTrail.vue'),
        meta: { title: '审计追溯', crumbs: ['安全审计', '审计追溯'], roles: ACCESS_LOG_ROLES },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('./views/UserAdmin.vue'),
        meta: { title: '用户管理', crumbs: ['系统管理', '用户管理'], roles: ADMIN_ROLES },
      },
      {
        path: 'codes',
        name: 'codes',
        component: () => import('./views/CodeTables.vue'),
        meta: { title: '代码表', crumbs: ['系统管理', '代码表'], roles: ADMIN_ROLES },
      },
      {
        path: 'catalog',
        name: 'catalog',
        component: () => import('./views/CatalogAdmin.vue'),
        meta: { title: '事项管理', crumbs: ['系统管理', '事项管理'], roles: ADMIN_ROLES },
      },
      {
        path: 'calendar',
        name: 'calendar',
        component: () => import('./views/CalendarAdmin.vue'),
        meta: { title: '节假日管理', crumbs: ['系统管理', '节假日管理'], roles: ADMIN_ROLES },
      },
      {
        path: 'cases/new',
        name: 'case-new',
        component: () => import('./views/cases/CaseReceive.vue'),
        meta: { title: '窗口受理', crumbs: ['办件管理', '受理'], roles: ['window_clerk'] },
      },
      {
        path: 'cases/todo',
        name: 'cases-todo',
        component: () => import('./views/cases/CaseList.vue'),
        meta: { title: '我的待办', crumbs: ['办件管理', '我的待办'], roles: CASE_ROLES, caseList: 'todo' },
      },
      {
        path: 'cases/all',
        name: 'cases-all',
        component: () => import('./views/cases/CaseList.vue'),
        meta: { title: '全部办件', crumbs: ['办件管理', '全部办件'], roles: CASE_ROLES, caseList: 'all' },
      },
      {
        path: 'cases/overdue',
        name: 'cases-overdue',
        component: () => import('./views/cases/CaseList.vue'),
        meta: { title: '超期办件', crumbs: ['办件管理', '超期办件'], roles: CASE_ROLES, caseList: 'overdue' },
      },
      {
        path: 'cases/stats',
        name: 'cases-stats',
        component: () => import('./views/cases/CaseStats.vue'),
        meta: { title: '办件统计', crumbs: ['办件管理', '办件统计'], roles: CASE_ROLES },
      },
      {
        path: 'cases/:caseNo',
        name: 'case',
        component: () => import('./views/cases/CaseDetail.vue'),
        meta: { title: '办件详情', crumbs: ['办件管理', '办件详情'], roles: CASE_ROLES },
      },
      {
        path: 'cases/:caseNo/approval-form',
        name: 'case-approval-form',
        component: () => import('./views/cases/CaseApprovalForm.vue'),
        meta: { title: '审批表', crumbs: ['办件管理', '审批表'], roles: CASE_ROLES },
      },
      {
        path: 'cases/:caseNo/receipt',
        name: 'case-receipt',
        component: () => import('./views/cases/CaseReceipt.vue'),
        meta: { title: '收件单', crumbs: ['办件管理', '收件单'], roles: CASE_ROLES },
      },
      {
        path: ':rest(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFound.vue'),
        meta: { title: '页面不存在', crumbs: ['页面不存在'], roles: ALL_ROLES },
      },
    ],
  },
];

// A receipt's progress QR code links to /p/<case_no>-<查询码>: the portal's progress page, queried
// by the code.
const progressLink = /^\/p\/(\d{14})-([2-9A-HJ-NP-Z]{10})$/.exec(window.location.pathname);
if (progressLink && !window.location.hash) {
  window.history.replaceState(null, '', `/#/portal/progress?case_no=${progressLink[1]}&code=${progressLink[2]}`);
}

// The QR code on a document links to /verify/<doc_no>; the server answers with index.html, and
// the page is shown under the hash route.
if (window.location.pathname.startsWith('/verify/')) {
  window.history.replaceState(null, '', '/#' + window.location.pathname + window.location.search);
}

export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const user = await ensureSession().catch(() => null);
  if (!user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  const roles = (to.meta.roles as string[] | undefined) || ALL_ROLES;
  if (!roles.includes(user.role)) {
    const first = menuFor(user.role)[0];
    return first && first.path !== to.path ? first.path : { name: 'not-found', params: { rest: ['forbidden'] } };
  }
  return true;
});

router.afterEach((to) => {
  const title = to.meta.title as string | undefined;
  document.title = title ? `${title} - 户政管理系统` : '户政管理系统';
});

setUnauthorizedHandler(() => {
  session.user = null;
  session.checked = true;
  const current = router.currentRoute.value;
  if (current.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: current.fullPath } });
  }
});
