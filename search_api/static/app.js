"use strict";
const I18N = {
  zh: { title: "機關採購廉政平臺檔案庫", label: "搜尋會議紀錄、公告與報告", search: "搜尋", type: "文件類型",
        from: "起日", to: "迄日", any: "全部", toggle: "English", results: (n) => `共 ${n} 筆結果`,
        none: "查無結果", error: "搜尋失敗：", page: (p) => `第 ${p} 頁`, prev: "上一頁", next: "下一頁",
        file: "原始檔案", dym: "您是不是要找：",
        types: { background: "背景說明", planning: "規劃", progress: "辦理進度", resolution: "辦理結果",
                 meeting_materials: "會議資料", meeting_minutes: "會議紀錄", tender_notice: "招標公告",
                 award_notice: "決標公告", other: "其他" } },
  en: { title: "Procurement Integrity Archive", label: "Search minutes, notices and reports", search: "Search",
        type: "Document type", from: "From", to: "To", any: "Any", toggle: "中文",
        results: (n) => `${n} results`, none: "No results", error: "Search failed: ",
        page: (p) => `page ${p}`, prev: "Previous", next: "Next", file: "Original file",
        dym: "Did you mean:",
        types: { background: "Background", planning: "Planning", progress: "Progress", resolution: "Resolution",
                 meeting_materials: "Meeting materials", meeting_minutes: "Meeting minutes",
                 tender_notice: "Tender notice", award_notice: "Award notice", other: "Other" } },
};
const PAGE_SIZE = 10;
const params = new URLSearchParams(location.search);
let lang = params.get("lang") === "en" ? "en" : "zh";
const $ = (id) => document.getElementById(id);

function t(key, ...args) { const v = I18N[lang][key]; return typeof v === "function" ? v(...args) : v; }

function applyLanguage() {
  document.documentElement.lang = lang === "zh" ? "zh-Hant-TW" : "en";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $("lang-toggle").textContent = t("toggle");
  const select = $("doc_type");
  const current = select.value || params.get("doc_type") || "";
  select.querySelectorAll("option:not([value=''])").forEach((o) => o.remove());
  for (const [value, label] of Object.entries(I18N[lang].types)) {
    const option = document.createElement("option");
    option.value = value; option.textContent = label; select.appendChild(option);
  }
  select.value = current;
}

function el(tag, text, cls) { const e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }

async function run() {
  const q = params.get("q") || "";
  const offset = Number(params.get("offset") || 0);
  $("q").value = q;
  for (const k of ["date_from", "date_to"]) $(k).value = params.get(k) || "";
  if (!q && !params.get("doc_type")) { $("status").textContent = ""; return; }
  const api = new URLSearchParams({ q, limit: PAGE_SIZE, offset });
  for (const k of ["doc_type", "date_from", "date_to", "agency", "case_id"]) if (params.get(k)) api.set(k, params.get(k));
  const response = await fetch(`/api/search?${api}`);
  const body = await response.json();
  const list = $("results"); list.replaceChildren();
  if (!response.ok) { $("status").textContent = t("error") + (body.message || response.status); return; }
  $("status").textContent = body.total ? t("results", body.total) : t("none");
  if (body.did_you_mean) {
    const p = new URLSearchParams(params); p.set("q", body.did_you_mean); p.delete("offset");
    const a = el("a", body.did_you_mean); a.href = `?${p}`;
    const dym = el("span", ` ${t("dym")} `, "dym"); dym.appendChild(a);
    $("status").appendChild(dym);
  }
  for (const hit of body.hits) {
    const li = el("li");
    const h = el("h2"); const a = el("a", hit.title || hit.filename);
    a.href = `/api/documents/${encodeURIComponent(hit.id)}/file`; h.appendChild(a); li.appendChild(h);
    const meta = [I18N[lang].types[hit.doc_type] || hit.doc_type, hit.agency, hit.case_id, hit.date, hit.filename]
      .filter(Boolean).join(" · ");
    li.appendChild(el("p", meta, "meta"));
    for (const hl of hit.highlights) {
      const p = el("p", null, "snippet");
      p.appendChild(el("span", t("page", hl.page), "page"));
      const s = el("span"); s.innerHTML = hl.text; /* server escapes text; only <mark> is markup */
      p.appendChild(s); li.appendChild(p);
    }
    list.appendChild(li);
  }
  const pager = $("pager"); pager.replaceChildren();
  const link = (label, off) => { const p = new URLSearchParams(params); p.set("offset", off); const a = el("a", label); a.href = `?${p}`; pager.appendChild(a); };
  if (offset > 0) link(t("prev"), Math.max(0, offset - PAGE_SIZE));
  if (offset + PAGE_SIZE < body.total) link(t("next"), offset + PAGE_SIZE);
}

$("search-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const p = new URLSearchParams();
  p.set("q", $("q").value.trim());
  for (const k of ["doc_type", "date_from", "date_to"]) if ($(k).value) p.set(k, $(k).value);
  if (lang === "en") p.set("lang", "en");
  location.search = p.toString();
});
$("lang-toggle").addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  if (lang === "en") params.set("lang", "en"); else params.delete("lang");
  history.replaceState(null, "", `?${params}`);
  applyLanguage(); run();
});
applyLanguage();
run();
