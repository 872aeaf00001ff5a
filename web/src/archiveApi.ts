// The electronic archive (docs/api.md "Archive"): captured materials of a case, completeness,
// booklets and volumes, the paper track and historical import jobs.
import { request } from './api';

export interface ArchiveMaterial {
  id: number;
  case_no: string;
  item_code: string;
  item_version: number;
  station_code: string;
  material_code: string;
  material_name: string;
  version: number;
  current: boolean;
  superseded_by: number | null;
  mime: string;
  sm3: string;
  size: number;
  /** scan | photo | upload | portrait | data_sharing */
  source: string;
  original_name: string;
  step: string;
  late: boolean;
  captured_by: number;
  captured_by_name: string;
  captured_at: string;
  file_url: string;
  thumbnail_url: string | null;
}

export interface CaptureFields {
  station_code: string;
  material_code: string;
  material_name?: string;
  source?: string;
  step?: string;
  item_code?: string;
  item_version?: number;
  belongs_step_completed_at?: string;
  file_name?: string;
}

export interface Paper {
  location: string;
  binding_batch: string;
  registered_at: string;
  bound_at: string;
  registered: boolean;
  bound: boolean;
}

export interface Booklet {
  archive_code: string;
  case_no: string;
  volume_code: string;
  volume_type: string;
  volume_title: string;
  year: number;
  sequence: number;
  station_code: string;
  receiving_station_code: string;
  item_code: string;
  item_version: number;
  item_name: string;
  applicant_name: string;
  applicant_id_number_masked: string;
  outcome: string;
  received_at: string;
  closed_at: string;
  archived_at: string;
  material_count: number;
  paper: Paper;
}

export interface CatalogueEntry {
  sequence: number;
  title: string;
  material_code: string;
  material_id: number;
  version: number;
  mime: string;
  sm3: string;
  source: string;
  captured_at: string;
  captured_by_name: string;
  late: boolean;
  file_url: string;
}

export interface Volume {
  code: string;
  station_code: string;
  station_name: string;
  year: number;
  volume_type: string;
  volume_title: string;
  booklet_count: number;
}

export interface VolumeType {
  name: string;
  code: string;
  title: string;
}

export interface BindingMonth {
  month: string;
  closed: number;
  paper_registered: number;
  bound: number;
}

export interface ImportJob {
  id: number;
  dir: string;
  index_file: string;
  /** running | done | interrupted | failed */
  status: string;
  total: number;
  imported: number;
  skipped: number;
  failed: number;
  percent: number;
  started_at: string;
  updated_at: string;
  finished_at: string;
}

export interface ImportRowError {
  row_no: number;
  file_name: string;
  code: string;
  message: string;
}

const enc = encodeURIComponent;
const casePath = (caseNo: string) => `/archive/cases/${enc(caseNo)}`;

export const SOURCE_TITLES: Record<string, string> = {
  scan: '扫描',
  photo: '拍照',
  upload: '上传',
  portrait: '现场人像',
  data_sharing: '共享核验',
};

export const archiveApi = {
  materials: (caseNo: string) => request<{ case_no: string; items: ArchiveMaterial[] }>('GET', `${casePath(caseNo)}/materials`),
  capture: (caseNo: string, fields: CaptureFields, file: Blob) =>
    request<ArchiveMaterial>('POST', `${casePath(caseNo)}/materials`, {
      query: { ...fields },
      raw: new Blob([file], { type: 'application/octet-stream' }),
    }),
  booklet: (caseNo: string) => request<Booklet & { catalogue: CatalogueEntry[] }>('GET', `${casePath(caseNo)}/booklet`),
  registerPaper: (caseNo: string, location: string, binding_batch: string) =>
    request<Booklet>('PUT', `${casePath(caseNo)}/paper`, { body: { location, binding_batch } }),
  volumes: (station_code: string, year?: number) =>
    request<{ items: Volume[]; volume_types: VolumeType[] }>('GET', '/archive/volumes', { query: { station_code, year } }),
  booklets: (volume: string, page = 1, page_size = 20) =>
    request<{ items: Booklet[]; page: number; page_size: number }>('GET', `/archive/volumes/${enc(volume)}/booklets`, {
      query: { page, page_size },
    }),
  bindBatch: (station_code: string, binding_batch: string) =>
    request<{ bound: boolean }>('POST', '/archive/binding-batches', { body: { station_code, binding_batch } }),
  bindingStatus: (station_code: string, year?: number) =>
    request<{ items: BindingMonth[] }>('GET', '/archive/binding-status', { query: { station_code, year } }),
  imports: () => request<{ items: ImportJob[] }>('GET', '/archive/imports'),
  importErrors: (id: number) => request<{ items: ImportRowError[] }>('GET', `/archive/imports/${id}/errors`),
};
