import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { ensureSession, session } from './session';
import { ADMIN_ROLES, OFFICER_ROLES, ALL_ROLES, menuFor } from './roles';
import { setUnauthorizedHandler } from './api';
import ConsoleLayout from './layouts/ConsoleLayout.vue';
import LoginView from './views/LoginView.vue';

// Hash history: the server only has to serve index.html at "/".
const routes: RouteRecordRaw[] = [
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
        path: ':rest(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFound.vue'),
        meta: { title: '页面不存在', crumbs: ['页面不存在'], roles: ALL_ROLES },
      },
    ],
  },
];

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
