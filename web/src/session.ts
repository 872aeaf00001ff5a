// The logged-in user, shared by the layout, the router guard and the views.
import { reactive } from 'vue';
import { api, ApiError, type User } from './api';

export const session = reactive<{ user: User | null; checked: boolean }>({ user: null, checked: false });

/** Loads the current user once per page load; resolves to null when not logged in. */
export async function ensureSession(): Promise<User | null> {
  if (session.checked) return session.user;
  try {
    const { user } = await api.me();
    session.user = user;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    session.user = null;
  }
  session.checked = true;
  return session.user;
}

export function setUser(user: User | null): void {
  session.user = user;
  session.checked = true;
}
