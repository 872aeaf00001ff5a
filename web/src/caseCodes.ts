// Code tables (GET /api/v1/codes/{table}) for the case screens, loaded once per page load.
import { reactive } from 'vue';
import { api } from './api';

type Entry = { code: string; name: string };
const cache = reactive<Record<string, Entry[]>>({});
const pending: Record<string, Promise<void>> = {};

/** The entries of the given tables and the name of a code; `load()` fetches what is not cached. */
export function useCodes(tables: string[]) {
  async function load(): Promise<void> {
    await Promise.all(
      tables.map((t) => {
        if (cache[t]) return Promise.resolve();
        pending[t] ||= api
          .codeTable(t)
          .then((r) => {
            cache[t] = r.entries;
          })
          .catch(() => {
            delete pending[t];
          });
        return pending[t];
      }),
    );
  }
  function entries(table: string): Entry[] {
    return cache[table] || [];
  }
  function codeName(table: string, code: string | null | undefined): string {
    if (!code) return '';
    const e = (cache[table] || []).find((x) => x.code === code);
    return e ? e.name : code;
  }
  return { load, entries, codeName };
}
