// Bahasa Indonesia (default) and English. Static labels carry `data-i18n="key"` (text),
// `data-i18n-title` / `data-i18n-aria` / `data-i18n-placeholder`; dynamic ones call `t()` and
// re-render on `onLangChange`.

import type { Lang } from './format';

export type { Lang };

const DICT = {
  'app.title': { id: 'tepat — peta analisis kota', en: 'tepat — city analysis map' },
  'app.subtitle': { id: 'Penentuan sasaran program', en: 'Programme targeting' },
  'lang.label': { id: 'Bahasa', en: 'Language' },
  'tab.layers': { id: 'Lapisan', en: 'Layers' },
  'tab.analysis': { id: 'Analisis', en: 'Analysis' },
  'tab.results': { id: 'Hasil', en: 'Results' },
  'panel.toggle': { id: 'Tampilkan/sembunyikan panel', en: 'Show/hide panel' },
  'layers.heading': { id: 'Lapisan proyek', en: 'Project layers' },
  'layers.features': { id: 'fitur', en: 'features' },
  'layers.rows': { id: 'baris', en: 'rows' },
  'layers.noGeometry': { id: 'tabel tanpa geometri', en: 'table without geometry' },
  'layers.raster': { id: 'raster (belum ditampilkan)', en: 'raster (not drawn yet)' },
  'layers.styleBy': { id: 'Warnai menurut', en: 'Colour by' },
  'layers.noStyle': { id: '— tanpa pewarnaan —', en: '— no colouring —' },
  'layers.method': { id: 'Metode kelas', en: 'Class method' },
  'layers.classes': { id: 'Jumlah kelas', en: 'Classes' },
  'layers.zoomTo': { id: 'Perbesar ke lapisan', en: 'Zoom to layer' },
  'method.quantile': { id: 'Kuantil', en: 'Quantiles' },
  'method.jenks': { id: 'Jeda alami (Jenks)', en: 'Natural breaks (Jenks)' },
  'method.equal': { id: 'Interval sama', en: 'Equal interval' },
  'role.zones': { id: 'zona', en: 'zones' },
  'role.table': { id: 'tabel', en: 'table' },
  'role.facilities': { id: 'fasilitas', en: 'facilities' },
  'role.hazard': { id: 'bahaya', en: 'hazard' },
  'role.demand': { id: 'permintaan', en: 'demand' },
  'role.network': { id: 'jaringan', en: 'network' },
  'role.events': { id: 'kejadian', en: 'events' },
  'role.raster': { id: 'raster', en: 'raster' },
  'role.context': { id: 'latar', en: 'context' },
  'analysis.heading': { id: 'Jalankan analisis', en: 'Run an analysis' },
  'analysis.pick': { id: 'Analisis', en: 'Analysis' },
  'analysis.run': { id: 'Jalankan', en: 'Run' },
  'analysis.running': { id: 'Menjalankan…', en: 'Running…' },
  'analysis.advanced': { id: 'Parameter lanjutan', en: 'Advanced parameters' },
  'analysis.json': { id: 'Parameter sebagai JSON', en: 'Parameters as JSON' },
  'analysis.jsonHint': {
    id: 'Edit langsung; jika diisi, menggantikan isian formulir.',
    en: 'Edit directly; when filled in, it replaces the form.',
  },
  'analysis.fromForm': { id: 'Salin dari formulir', en: 'Copy from form' },
  'analysis.runOn': { id: 'Data', en: 'Data' },
  'analysis.required': { id: 'wajib', en: 'required' },
  'analysis.optional': { id: '— bawaan —', en: '— default —' },
  'analysis.listHint': { id: 'pisahkan dengan koma', en: 'comma-separated' },
  'analysis.chooseFields': { id: 'pilih satu atau lebih', en: 'choose one or more' },
  'index.indicators': { id: 'Indikator kebutuhan', en: 'Indicators of need' },
  'index.source': { id: 'Sumber', en: 'Source' },
  'index.field': { id: 'Isian', en: 'Field' },
  'index.per': { id: 'Dibagi', en: 'Per' },
  'index.weight': { id: 'Bobot', en: 'Weight' },
  'index.direction': { id: 'Arah', en: 'Direction' },
  'index.worse': { id: 'makin tinggi makin butuh', en: 'higher = more need' },
  'index.better': { id: 'makin tinggi makin baik', en: 'higher = less need' },
  'index.add': { id: '+ Tambah indikator', en: '+ Add indicator' },
  'index.remove': { id: 'Hapus indikator', en: 'Remove indicator' },
  'index.hazard': { id: 'Bahaya banjir (masukan paparan)', en: 'Flood hazard (exposure input)' },
  'index.noHazard': { id: '— tanpa —', en: '— none —' },
  'index.zoneLayer': { id: 'lapisan zona', en: 'zone layer' },
  'index.exposure': { id: 'paparan banjir', en: 'flood exposure' },
  'index.runs': { id: 'Simulasi kepekaan bobot', en: 'Weight sensitivity runs' },
  'index.method': { id: 'Metode', en: 'Method' },
  'index.topN': { id: 'Daftar pendek (top N)', en: 'Shortlist (top N)' },
  'results.heading': { id: 'Hasil', en: 'Results' },
  'results.none': {
    id: 'Belum ada hasil. Jalankan analisis di tab Analisis.',
    en: 'No result yet. Run an analysis in the Analysis tab.',
  },
  'results.rows': { id: 'baris', en: 'rows' },
  'results.styleBy': { id: 'Peta menurut', en: 'Map by' },
  'results.exportCsv': { id: 'Unduh CSV', en: 'Download CSV' },
  'results.exportGeojson': { id: 'Unduh GeoJSON', en: 'Download GeoJSON' },
  'results.exportPng': { id: 'Unduh peta (PNG)', en: 'Download map (PNG)' },
  'results.sortHint': { id: 'Klik judul kolom untuk mengurutkan', en: 'Click a column heading to sort' },
  'results.summary': { id: 'Ringkasan', en: 'Summary' },
  'results.clear': { id: 'Hapus hasil dari peta', en: 'Clear result from map' },
  'detail.rank': { id: 'Peringkat {rank} dari {n}', en: 'Rank {rank} of {n}' },
  'detail.interval': {
    id: 'Rentang peringkat {low}–{high} bila bobot diubah ±{spread} ({runs} simulasi)',
    en: 'Rank range {low}–{high} when weights vary ±{spread} ({runs} runs)',
  },
  'detail.intervalShort': { id: 'Rentang peringkat', en: 'Rank range' },
  'detail.why': { id: 'Mengapa peringkat {rank}?', en: 'Why rank {rank}?' },
  'detail.contributions': { id: 'Sumbangan tiap indikator pada skor', en: 'Contribution of each indicator to the score' },
  'detail.score': { id: 'Skor', en: 'Score' },
  'detail.noReasons': { id: 'Tidak ada indikator yang menonjol.', en: 'No indicator stands out.' },
  'detail.close': { id: 'Tutup', en: 'Close' },
  'detail.attributes': { id: 'Atribut', en: 'Attributes' },
  'detail.result': { id: 'Hasil analisis', en: 'Analysis result' },
  'legend.nodata': { id: 'tanpa data', en: 'no data' },
  'status.loading': { id: 'Memuat…', en: 'Loading…' },
  'error.title': { id: 'Terjadi kesalahan', en: 'Something went wrong' },
  'error.network': {
    id: 'Server tidak dapat dihubungi. Apakah `tepat serve` berjalan?',
    en: 'The server cannot be reached. Is `tepat serve` running?',
  },
  'error.dismiss': { id: 'Tutup pesan', en: 'Dismiss' },
  'error.form': { id: 'Isian tidak valid', en: 'Invalid input' },
  'basemap.label': { id: 'Peta dasar (URL gaya, opsional)', en: 'Basemap (style URL, optional)' },
  'basemap.apply': { id: 'Terapkan', en: 'Apply' },
  'basemap.none': { id: 'Tanpa peta dasar: lapisan kota sendiri', en: 'No basemap: the city’s own layers' },
  'map.label': { id: 'Peta', en: 'Map' },
  'map.fitAll': { id: 'Tampilkan seluruh kota', en: 'Show the whole city' },
  'tab.scenarios': { id: 'Skenario', en: 'Scenarios' },
  'tab.compare': { id: 'Bandingkan', en: 'Compare' },
  'who.leader': { id: 'pimpinan', en: 'leader' },
  'who.planner': { id: 'perencana', en: 'planner' },
  'who.admin': { id: 'admin', en: 'admin' },
  'who.researcher': { id: 'peneliti', en: 'researcher' },
  'auth.heading': { id: 'Akses', en: 'Access' },
  'auth.token': { id: 'Token akses', en: 'Access token' },
  'auth.signIn': { id: 'Masuk', en: 'Sign in' },
  'auth.signOut': { id: 'Keluar', en: 'Sign out' },
  'auth.as': { id: 'Masuk sebagai {role}', en: 'Signed in as {role}' },
  'auth.anon': {
    id: 'Belum masuk: hanya melihat. Mengubah skenario perlu token perencana (tepat token create --role planner).',
    en: 'Not signed in: read only. Changing scenarios needs a planner token (tepat token create --role planner).',
  },
  'auth.unknownRole': { id: 'peran tidak diketahui', en: 'unknown role' },
  'auth.401': { id: 'Perlu masuk dengan token yang dikenal server', en: 'Sign in with a token this server knows' },
  'auth.403': { id: 'Peran Anda tidak boleh melakukan ini', en: 'Your role may not do this' },
  'scen.heading': { id: 'Skenario “bagaimana jika”', en: 'What-if scenarios' },
  'scen.newName': { id: 'Nama skenario baru', en: 'New scenario name' },
  'scen.create': { id: 'Buat', en: 'Create' },
  'scen.pick': { id: 'Skenario', en: 'Scenario' },
  'scen.none': { id: 'Belum ada skenario.', en: 'No scenarios yet.' },
  'scen.choose': { id: '— pilih —', en: '— choose —' },
  'scen.version': { id: 'versi {v} · {n} perubahan', en: 'version {v} · {n} edits' },
  'scen.delete': { id: 'Hapus skenario', en: 'Delete scenario' },
  'scen.confirmDelete': { id: 'Hapus skenario “{name}”?', en: 'Delete scenario “{name}”?' },
  'scen.facilities': { id: 'Fasilitas', en: 'Facilities' },
  'scen.addMode': { id: '+ Tambah fasilitas (klik peta)', en: '+ Add a facility (click the map)' },
  'scen.addHint': { id: 'Klik peta di lokasi fasilitas baru (Esc untuk batal).', en: 'Click the map where the new facility goes (Esc to cancel).' },
  'scen.cancel': { id: 'Batal', en: 'Cancel' },
  'scen.layer': { id: 'Lapisan fasilitas', en: 'Facility layer' },
  'scen.kind': { id: 'Jenis', en: 'Kind' },
  'scen.capacity': { id: 'Kapasitas (orang)', en: 'Capacity (people)' },
  'scen.cost': { id: 'Biaya (Rp)', en: 'Cost (Rp)' },
  'scen.idLabel': { id: 'Kode', en: 'Id' },
  'scen.save': { id: 'Simpan', en: 'Save' },
  'scen.newFacility': { id: 'Fasilitas baru', en: 'New facility' },
  'scen.added': { id: 'baru', en: 'new' },
  'scen.moved': { id: 'dipindah', en: 'moved' },
  'scen.removed': { id: 'dihapus', en: 'removed' },
  'scen.remove': { id: 'Hapus', en: 'Remove' },
  'scen.noChanges': { id: 'Belum ada perubahan fasilitas.', en: 'No facility changes yet.' },
  'scen.dragHint': { id: 'Seret penanda fasilitas baru untuk memindahkannya.', en: 'Drag a new facility’s marker to move it.' },
  'scen.removeExisting': { id: 'Hapus fasilitas ini dalam skenario', en: 'Remove this facility in the scenario' },
  'scen.other': { id: 'Perubahan lain', en: 'Other changes' },
  'scen.hazardFrom': { id: 'Lapisan banjir yang diganti', en: 'Flood layer replaced' },
  'scen.hazardTo': { id: 'diganti dengan', en: 'replaced by' },
  'scen.noSwap': { id: '— tidak diganti —', en: '— not replaced —' },
  'scen.growth': { id: 'Pertumbuhan penduduk (%)', en: 'Population growth (%)' },
  'scen.budget': { id: 'Anggaran (Rp)', en: 'Budget (Rp)' },
  'scen.apply': { id: 'Terapkan', en: 'Apply' },
  'scen.compare': { id: 'Bandingkan dengan kondisi saat ini', en: 'Compare with the baseline' },
  'scen.compareWith': { id: 'Ikut dibandingkan (maks. 5)', en: 'Compared together (up to 5)' },
  'scen.saved': { id: 'Tersimpan (versi {v})', en: 'Saved (version {v})' },
  'cmp.heading': { id: 'Perbandingan skenario', en: 'Scenario comparison' },
  'cmp.none': {
    id: 'Belum ada perbandingan. Buat skenario di tab Skenario, lalu tekan Bandingkan.',
    en: 'No comparison yet. Make a scenario in the Scenarios tab, then press Compare.',
  },
  'cmp.baseline': { id: 'Kondisi saat ini', en: 'Baseline' },
  'cmp.whatChanged': { id: 'Apa yang berubah', en: 'What changed' },
  'cmp.analysis': { id: 'Analisis', en: 'Analysis' },
  'cmp.field': { id: 'Selisih menurut', en: 'Change in' },
  'cmp.scenario': { id: 'Skenario di peta', en: 'Scenario on the map' },
  'cmp.view': { id: 'Tampilan peta', en: 'Map view' },
  'cmp.viewDelta': { id: 'Selisih', en: 'Change' },
  'cmp.viewSide': { id: 'Berdampingan', en: 'Side by side' },
  'cmp.viewSwipe': { id: 'Geser', en: 'Swipe' },
  'cmp.charts': { id: 'Indikator: kondisi saat ini dan skenario', en: 'Indicators: baseline and scenarios' },
  'cmp.better': { id: 'lebih baik', en: 'better' },
  'cmp.worse': { id: 'lebih buruk', en: 'worse' },
  'cmp.blueBetter': { id: 'biru = lebih baik, merah = lebih buruk', en: 'blue = better, red = worse' },
  'cmp.noVerdict': { id: 'ungu = bertambah, jingga = berkurang (tanpa penilaian)', en: 'purple = more, orange = less (no verdict)' },
  'cmp.noChange': { id: 'tidak berubah', en: 'no change' },
  'cmp.legendTitle': { id: 'Perubahan: {field}', en: 'Change: {field}' },
  'cmp.legendSub': { id: '{scenario} − kondisi saat ini', en: '{scenario} − baseline' },
  'cmp.swipe': { id: 'Geser untuk membandingkan', en: 'Slide to compare' },
  'cmp.changedZones': { id: '{n} zona berubah', en: '{n} zones changed' },
  'cmp.spend': { id: 'Biaya fasilitas baru: {spend}', en: 'New facilities cost {spend}' },
  'rec.save': { id: 'Simpan sebagai rekomendasi', en: 'Save as recommendation' },
  'rec.title': { id: 'Judul', en: 'Title' },
  'rec.question': { id: 'Pertanyaan pimpinan', en: 'The leader’s question' },
  'rec.topN': { id: 'Jumlah teratas', en: 'Top N' },
  'rec.budget': { id: 'Anggaran (Rp)', en: 'Budget (Rp)' },
  'rec.notes': { id: 'Catatan', en: 'Notes' },
  'rec.create': { id: 'Simpan dan buka ringkasan', en: 'Save and open the brief' },
  'rec.needPlanner': { id: 'Masuk dengan token perencana (tab Skenario) untuk menyimpan rekomendasi.', en: 'Sign in with a planner token (Scenarios tab) to save a recommendation.' },
  'rec.defaultTitle': { id: 'Prioritas {what}', en: 'Priorities: {what}' },
  'brief.heading': { id: 'Ringkasan untuk pimpinan', en: 'Leader’s brief' },
  'brief.question': { id: 'Pertanyaan', en: 'Question' },
  'brief.status': { id: 'Status', en: 'Status' },
  'brief.status.proposed': { id: 'Diusulkan', en: 'Proposed' },
  'brief.status.approved': { id: 'Disetujui', en: 'Approved' },
  'brief.status.rejected': { id: 'Ditolak', en: 'Rejected' },
  'brief.by': { id: 'Disusun oleh {by}, {date}', en: 'Prepared by {by}, {date}' },
  'brief.top': { id: '{n} teratas dari {total}', en: 'Top {n} of {total}' },
  'brief.rank': { id: 'Peringkat', en: 'Rank' },
  'brief.name': { id: 'Kelurahan', en: 'Kelurahan' },
  'brief.score': { id: 'Skor', en: 'Score' },
  'brief.reasons': { id: 'Alasan', en: 'Reasons' },
  'brief.interval': { id: 'Rentang', en: 'Range' },
  'brief.budget': { id: 'Anggaran', en: 'Budget' },
  'brief.noBudget': { id: 'Tidak ditetapkan', en: 'Not set' },
  'brief.assumptions': { id: 'Asumsi', en: 'Assumptions' },
  'brief.notes': { id: 'Catatan', en: 'Notes' },
  'brief.sources': { id: 'Sumber data', en: 'Data sources' },
  'brief.layer': { id: 'Lapisan', en: 'Layer' },
  'brief.features': { id: 'Fitur', en: 'Features' },
  'brief.file': { id: 'Berkas', en: 'File' },
  'brief.dates': { id: 'Tanggal', en: 'Dates' },
  'brief.hash': { id: 'Sidik data', en: 'Data fingerprint' },
  'brief.noDates': { id: 'tanggal tidak tercatat; data per {date}', en: 'no date recorded; data as of {date}' },
  'brief.approve': { id: 'Setujui', en: 'Approve' },
  'brief.reject': { id: 'Tolak', en: 'Reject' },
  'brief.comment': { id: 'Komentar', en: 'Comment' },
  'brief.sendComment': { id: 'Kirim komentar', en: 'Send comment' },
  'brief.decisions': { id: 'Keputusan dan komentar', en: 'Decisions and comments' },
  'brief.noDecisions': { id: 'Belum ada keputusan.', en: 'No decision yet.' },
  'brief.decision.approve': { id: 'Disetujui', en: 'Approved' },
  'brief.decision.reject': { id: 'Ditolak', en: 'Rejected' },
  'brief.print': { id: 'Cetak / simpan PDF', en: 'Print / save as PDF' },
  'brief.back': { id: '← Kembali ke peta', en: '← Back to the map' },
  'brief.map': { id: 'Peta prioritas', en: 'Priority map' },
  'brief.leaderOnly': { id: 'Keputusan diambil oleh pimpinan (token peran leader).', en: 'Decisions are taken by a leader (a token of role leader).' },
  'brief.analysis': { id: 'Analisis', en: 'Analysis' },
  'brief.zones': { id: 'Zona', en: 'Zones' },
  'brief.indicator': { id: 'Indikator', en: 'Indicator' },
  'brief.hazard': { id: 'Lapisan bahaya', en: 'Hazard layer' },
  'brief.radius': { id: 'Radius jangkauan', en: 'Catchment radius' },
  'brief.sensitivity': { id: 'Kepekaan: {runs} simulasi dengan bobot diubah ±{spread}', en: 'Sensitivity: {runs} runs with weights varied ±{spread}' },
  'brief.onScenario': { id: 'Dihitung pada skenario {id} (versi {version})', en: 'Computed on scenario {id} (version {version})' },
  'brief.onBaseline': { id: 'Dihitung pada kondisi saat ini (tanpa skenario)', en: 'Computed on the baseline (no scenario)' },
  'brief.weightedSum': { id: 'jumlah berbobot', en: 'weighted sum' },
  'brief.source': { id: 'Sumber', en: 'Source' },
  'brief.dataDate': { id: 'Tanggal data', en: 'Data date' },
  'brief.engine': { id: 'Dihitung dengan tepat {v}', en: 'Computed with tepat {v}' },
  'brief.notFound': { id: 'Rekomendasi tidak ditemukan', en: 'Recommendation not found' },
  'job.progress': { id: 'Diproses di server… {p}', en: 'Running on the server… {p}' },
  'layers.tiles': { id: 'ubin vektor', en: 'vector tiles' },
  'png.title': { id: '{project} — {what}', en: '{project} — {what}' },
} as const satisfies Record<string, Record<Lang, string>>;

export type Key = keyof typeof DICT;

/** Labels of the demo city's layer attributes (kelurahan statistics, facility fields). A
 *  layer has no descriptor, so these are the only labels kept by name; an analysis' output
 *  columns, its params and its title come from its descriptor (descriptor.ts). */
const ATTRIBUTES: Record<string, Record<Lang, string>> = {
  kode: { id: 'Kode', en: 'Code' },
  nama: { id: 'Nama', en: 'Name' },
  population: { id: 'Penduduk', en: 'Population' },
  households: { id: 'Rumah tangga', en: 'Households' },
  poor_households: { id: 'Rumah tangga miskin', en: 'Poor households' },
  under5: { id: 'Balita', en: 'Under five' },
  elderly: { id: 'Lansia', en: 'Elderly' },
  capacity: { id: 'Kapasitas', en: 'Capacity' },
  students: { id: 'Siswa', en: 'Students' },
  beds: { id: 'Tempat tidur', en: 'Beds' },
  luas_km2: { id: 'Luas (km²)', en: 'Area (km²)' },
  luas_ha: { id: 'Luas (ha)', en: 'Area (ha)' },
  panjang_m: { id: 'Panjang (m)', en: 'Length (m)' },
  kelas: { id: 'Kelas', en: 'Class' },
  kind: { id: 'Jenis', en: 'Kind' },
  depth_class: { id: 'Kelas kedalaman', en: 'Depth class' },
  return_period: { id: 'Periode ulang (tahun)', en: 'Return period (years)' },
  jumlah_kelurahan: { id: 'Jumlah kelurahan', en: 'Kelurahan count' },
  kategori: { id: 'Kategori', en: 'Category' },
  status: { id: 'Status', en: 'Status' },
  jenjang: { id: 'Jenjang', en: 'Level' },
};

/** The two keys every result row and feature may carry besides its columns. */
const UI_KEYS: Record<string, Record<Lang, string>> = {
  id: { id: 'Kode', en: 'Id' },
  name: { id: 'Nama', en: 'Name' },
};

let current: Lang = 'id';
const listeners: Array<(l: Lang) => void> = [];

export function lang(): Lang {
  return current;
}

/** The label for `key` in the current language, `{name}` placeholders filled from `vars`. */
export function t(key: Key, vars: Record<string, string | number> = {}, l: Lang = current): string {
  let s: string = DICT[key][l];
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** A layer attribute's label (or a row's `id` / `name`); other names are shown as they are. */
export function attributeLabel(name: string, l: Lang = current): string {
  return (ATTRIBUTES[name] ?? UI_KEYS[name])?.[l] ?? name;
}

/** `Label (name)` when the label differs from the name, else the name. */
export function withName(lbl: string, name: string): string {
  return lbl && lbl !== name ? `${lbl} (${name})` : name;
}

export function hasKey(key: string): key is Key {
  return key in DICT;
}

/** Fills every `data-i18n*` element under `root`. */
export function applyStatic(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    const k = el.dataset.i18n;
    if (k && hasKey(k)) el.textContent = t(k);
  });
  for (const [attr, target] of [
    ['i18nTitle', 'title'],
    ['i18nAria', 'aria-label'],
    ['i18nPlaceholder', 'placeholder'],
  ] as const) {
    root.querySelectorAll<HTMLElement>(`[data-${attr.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}]`).forEach((el) => {
      const k = el.dataset[attr];
      if (k && hasKey(k)) el.setAttribute(target, t(k));
    });
  }
}

export function setLang(l: Lang): void {
  current = l;
  if (typeof document !== 'undefined') {
    document.documentElement.lang = l;
    applyStatic();
  }
  try {
    localStorage.setItem('tepat.lang', l);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  for (const f of listeners) f(l);
}

export function onLangChange(f: (l: Lang) => void): void {
  listeners.push(f);
}

/** Language from `?lang=`, then the saved choice, else Indonesian. */
export function initialLang(): Lang {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'id' || q === 'en') return q;
  try {
    const saved = localStorage.getItem('tepat.lang');
    if (saved === 'id' || saved === 'en') return saved;
  } catch {
    /* ignore */
  }
  return 'id';
}
