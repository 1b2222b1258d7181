"""Table tests of every red-flag kind (positive and negative), debarment import and matching,
stable ids and dismissals. silent_edit and removed_document are judged on two real crawls of the
sample agency site (cli/sample_site.py) served on 127.0.0.1."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cli.sample_site import SITE_CASES
from search_index.debarment import (
    DebarmentImportError,
    Debarment,
    DebarredList,
    matches,
    name_key,
    read_list,
)
from search_index.flags import FlagDismissals, KINDS, compute_flags, flag_id, select
from search_index.protocol import IndexDocument, IndexPage

ROOT = Path(__file__).resolve().parents[2]


def doc(doc_id: str, text: str, *, case: str = "113X001-01", doc_type: str = "award_notice",
        day: date | None = date(2024, 5, 12), agency: str = "測試市政府", title: str = "決標公告",
        contractors: tuple[str, ...] = (), bans: tuple[str, ...] = ()) -> IndexDocument:
    pages = [IndexPage(i + 1, t) for i, t in enumerate(text.split("\f"))]
    return IndexDocument(id=doc_id, title=title, filename=f"{doc_id}.pdf", pages=pages,
                         doc_type=doc_type, agency=agency, case_id=case, date=day,
                         contractors=list(contractors), bans=list(bans))


def kinds(docs, debarred=()) -> list[str]:  # noqa: ANN001
    return [f.kind for f in compute_flags(docs, debarred)]


def award(case: str, winner: str, *, agency: str = "測試市政府", day=date(2024, 5, 12),  # noqa: ANN001
          bidders: int = 3, amount: str = "新臺幣9,000,000元", base: str = "新臺幣10,000,000元"):
    return doc(f"award-{case}", f"決標公告\n得標廠商：{winner}（統一編號：12345675）\n"
               f"決標金額：{amount}\n底價金額：{base}\n投標廠商家數：{bidders}家",
               case=case, agency=agency, day=day)


TENDER = "招標公告\n日期：中華民國113年3月5日\n截止投標：中華民國113年{deadline} 17時00分"

CASES = [
    # (id, documents, expected kinds)
    ("single bidder", [award("C1", "甲公司", bidders=1)], ["single_bidder"]),
    ("single bidder in Chinese numerals", [doc("a", "投標廠商家數：一家")], ["single_bidder"]),
    ("single bidder from OCDS", [doc("o", "Number of tenderers: 1", title="OCDS case")],
     ["single_bidder"]),
    ("three bidders is no flag", [award("C1", "甲公司", bidders=3)], []),
    ("bid 99.5% of base price", [award("C1", "甲", amount="新臺幣9,950,000元")],
     ["bid_near_base_price"]),
    ("bid exactly the base price", [award("C1", "甲", amount="新臺幣一千萬元")], ["bid_near_base_price"]),
    ("bid 98.99% of base price is no flag", [award("C1", "甲", amount="新臺幣9,899,000元")], []),
    ("no base price is no flag", [doc("a", "決標金額：新臺幣9,950,000元\n是否訂有底價：是")], []),
    ("10-day submission period", [doc("t", TENDER.format(deadline="3月15日"), doc_type="tender_notice",
                                      day=date(2024, 3, 5), title="招標公告")],
     ["short_submission_period"]),
    ("14 days is still short", [doc("t", TENDER.format(deadline="3月19日"), doc_type="tender_notice",
                                    day=date(2024, 3, 5), title="招標公告")],
     ["short_submission_period"]),
    ("15 days is no flag", [doc("t", TENDER.format(deadline="3月20日"), doc_type="tender_notice",
                                day=date(2024, 3, 5), title="招標公告")], []),
    ("OCDS tender period of 9 days", [doc("o", "Tender period: 2024-01-01 – 2024-01-10",
                                          title="OCDS")], ["short_submission_period"]),
    ("OCDS tender period of 30 days is no flag",
     [doc("o", "Tender period: 2024-01-01 – 2024-01-31", title="OCDS")], []),
    ("two failed rounds", [doc("f1", "開標結果：流標", title="第1次開標紀錄", doc_type="other"),
                           doc("f2", "本案宣布廢標。", title="第2次開標紀錄", doc_type="other")],
     ["repeated_failed_tenders"]),
    ("failure named in titles", [doc("f1", "略", title="流標公告", doc_type="other"),
                                 doc("f2", "略", title="第2次流標公告", doc_type="other")],
     ["repeated_failed_tenders"]),
    ("one failed round is no flag", [doc("f1", "開標結果：流標", title="開標紀錄", doc_type="other")], []),
    ("preventing bid rigging is no failure", [doc("b", "防範圍標、綁標及流標風險", title="背景說明",
                                                  doc_type="background"),
                                              doc("b2", "避免流標", title="規劃", doc_type="planning")],
     []),
    ("amendment +25%", [doc("m", "契約變更\n原契約金額：新臺幣8,000,000元\n變更後契約金額：新臺幣10,000,000元",
                            title="契約變更公告", doc_type="other")], ["amendment_over_20pct"]),
    ("amendment +20% exactly is no flag",
     [doc("m", "原契約金額：新臺幣10,000,000元\n變更後契約金額：新臺幣12,000,000元", doc_type="other")], []),
    ("amendment without amounts is no flag",
     [doc("m", "契約變更1次（工期展延30日，未增加契約金額）", doc_type="resolution")], []),
    ("one firm wins 2 of an agency's 3 cases",
     [award("D1", "甲公司"), award("D2", "甲公司"), award("D3", "乙公司")], ["dominant_contractor"]),
    ("name forms are one firm", [award("D1", "台灣甲工程有限公司"), award("D2", "臺灣甲工程股份有限公司"),
                                 award("D3", "乙公司")], ["dominant_contractor"]),
    ("three different winners is no flag",
     [award("D1", "甲公司"), award("D2", "乙公司"), award("D3", "丙公司")], []),
    ("two cases are too few to judge", [award("D1", "甲公司"), award("D2", "甲公司")], []),
    ("wins spread over two years are no flag",
     [award("D1", "甲公司"), award("D2", "甲公司", day=date(2023, 5, 1)), award("D3", "乙公司")], []),
    ("wins at different agencies are no flag",
     [award("D1", "甲公司"), award("D2", "甲公司", agency="他機關"), award("D3", "乙公司")], []),
]


@pytest.mark.parametrize("docs,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_flag_rules(docs, expected):
    assert kinds(docs) == expected


BARRED = Debarment("53212539", "宏富土木包工業有限公司", "臺北市政府工務局",
                   "政府採購法第101條第1項第3款", date(2023, 12, 21), date(2026, 12, 20))
NAME_ONLY = Debarment("", "順興企業社", "臺南市政府", "政府採購法第101條第1項第10款",
                      date(2024, 3, 2), date(2024, 9, 1))


@pytest.mark.parametrize("docs,expected", [
    ([doc("m", "序位1：宏富土木包工業有限公司（統一編號：53212539）", doc_type="meeting_minutes")],
     ["debarred_contractor"]),
    ([doc("m", "得標廠商：宏富土木包工業股份有限公司", day=date(2024, 1, 5))], ["debarred_contractor"]),
    ([doc("m", "投標廠商：53212539", day=date(2023, 12, 20))], []),  # the day before the period
    ([doc("m", "得標廠商：順興企業社", day=date(2024, 6, 1))], ["debarred_contractor"]),
    ([doc("m", "得標廠商：順興企業社", day=date(2024, 9, 2))], []),  # the day after the period
    ([doc("m", "得標廠商：順興營造有限公司", day=date(2024, 6, 1))], []),  # another firm
    ([doc("m", "得標廠商：宏富土木包工業有限公司", day=None)], []),  # undated: cannot judge
])
def test_debarred_contractor(docs, expected):
    assert kinds(docs, [BARRED, NAME_ONLY]) == expected


def test_flags_cite_document_page_and_sentence():
    flags = compute_flags([doc("a", "第一頁\f決標金額：新臺幣9,950,000元\n底價金額：新臺幣10,000,000元")])
    (flag,) = flags
    assert flag.evidence[0].doc_id == "a" and flag.evidence[0].page == 2
    assert flag.evidence[0].sentence == "決標金額：新臺幣9,950,000元"
    assert flag.evidence[0].url == "/api/documents/a/file#page=2"
    assert flag.values["ratio"] == 0.995
    assert "99.5%" in flag.explanation_zh and "99.5%" in flag.explanation_en
    out = flag.to_dict()
    assert out["label_en"] and out["label_zh"] and out["cases"] == ["113X001-01"]


def test_flag_ids_are_stable_and_distinct():
    first = compute_flags([award("C1", "甲", bidders=1)])[0]
    again = compute_flags([award("C1", "甲", bidders=1, amount="新臺幣1元")])[0]
    assert first.id == again.id == flag_id("single_bidder", "C1")
    assert flag_id("single_bidder", "C2") != first.id
    assert all(k in KINDS for k in ("silent_edit", "removed_document"))


def test_select_by_agency_contractor_kind_and_case():
    flags = compute_flags([award("D1", "台灣甲公司", agency="臺北市政府"),
                           award("D2", "台灣甲公司", agency="臺北市政府"),
                           award("D3", "乙公司", agency="臺北市政府", bidders=1)])
    assert {f.kind for f in flags} == {"dominant_contractor", "single_bidder"}
    assert [f.kind for f in select(flags, contractor="臺灣甲公司")] == ["dominant_contractor"]
    assert len(select(flags, agency="台北市")) == 2 and not select(flags, agency="新北市")
    assert [f.kind for f in select(flags, case_id="D1")] == ["dominant_contractor"]
    assert [f.kind for f in select(flags, kind="single_bidder")] == ["single_bidder"]


def test_dismissals_are_kept_with_reason(tmp_path):
    store = FlagDismissals(tmp_path / "flags.sqlite3")
    flags = compute_flags([award("C1", "甲", bidders=1)])
    store.dismiss(flags[0].id, "特殊規格，經查無不法", "auditor1")
    (dismissed,) = store.apply(flags)
    assert dismissed.dismissal["reason"] == "特殊規格，經查無不法"
    assert dismissed.dismissal["by"] == "auditor1"
    assert select([dismissed], include_dismissed=False) == []
    assert store.restore(flags[0].id) and store.apply(flags)[0].dismissal is None


def test_debarred_list_imports_pcc_csv_and_json(tmp_path):
    csv_rows = read_list(ROOT / "config" / "debarred.example.csv")
    assert len(csv_rows) == 4
    first = csv_rows[0]
    assert (first.ban, first.name, first.start, first.end) == (
        "53212539", "宏富土木包工業有限公司", date(2023, 12, 21), date(2026, 12, 20))
    json_rows = read_list(ROOT / "tests" / "fixtures" / "debarred_pcc.json")
    assert [r.name for r in json_rows] == ["宏富土木包工業有限公司", "順興企業社"]
    assert json_rows[1].ban == "" and json_rows[1].start == date(2024, 3, 2)
    store = DebarredList(tmp_path / "debarred.sqlite3")
    assert store.all() == []
    assert store.replace_all(csv_rows) == 4
    assert store.all() == sorted(csv_rows, key=lambda e: (e.start, e.ban, e.name))
    store.replace_all(json_rows)
    assert len(store.all()) == 2  # an import replaces the list


@pytest.mark.parametrize("text,fragment", [
    ("廠商代碼,廠商名稱,拒絕往來生效日\n12345678,甲公司,113/01/01\n", "not a valid 統一編號"),
    ("廠商代碼,廠商名稱,拒絕往來生效日\n,,113/01/01\n", "needs a 廠商代碼"),
    ("廠商代碼,廠商名稱,拒絕往來生效日\n,甲公司,\n", "start date is required"),
    ("廠商名稱,拒絕往來生效日,拒絕往來截止日\n甲公司,113/05/01,113/01/01\n", "ends before it starts"),
    ("廠商名稱,拒絕往來生效日\n甲公司,someday\n", "cannot read the date"),
])
def test_bad_rows_are_refused_with_the_reason(tmp_path, text, fragment):
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DebarmentImportError, match=fragment):
        read_list(path)


def test_name_key_folds_forms_and_variants():
    assert name_key("臺灣大同營造有限公司") == name_key("台灣 大同營造股份有限公司")
    assert name_key("大同營造有限公司") != name_key("大同工程有限公司")
    assert matches(NAME_ONLY, "得標廠商：順興企業社") == "name"
    assert matches(BARRED, "統一編號53212539") == "ban"
    assert matches(BARRED, "其他廠商") is None


def scanned(conf: dict) -> IndexDocument:  # noqa: ANN001
    return IndexDocument(id="scan", title="會議紀錄（掃描）", filename="scan.pdf",
                         pages=[IndexPage(1, "第一頁文字"), IndexPage(2, "模糊的第二頁\n其餘文字")],
                         case_id="113X001-01", metadata={"ocr_confidence": conf})


@pytest.mark.parametrize("conf,pages", [
    ({"1": 93.0, "2": 41.5}, {"2": 41.5}),
    ({"1": 12.0, "2": 59.9}, {"1": 12.0, "2": 59.9}),
    ({"1": 60.0, "2": 95.0}, None),  # at the threshold: fine
    ({}, None),  # not OCRed
    ("garbled", None),  # metadata of an older format is ignored, never a crash
])
def test_low_ocr_confidence(conf, pages):
    found = [f for f in compute_flags([scanned(conf)]) if f.kind == "low_ocr_confidence"]
    if pages is None:
        assert found == []
        return
    (flag,) = found
    assert flag.values["pages"] == pages and flag.case_id == "113X001-01"
    assert [e.page for e in flag.evidence] == [int(p) for p in pages]
    assert flag.evidence[-1].sentence in ("第一頁文字", "模糊的第二頁")
    assert "compare it with the page image" in flag.explanation_en


# -- silent_edit and removed_document: two real crawls of the sample agency site --------------

EDIT_CASE = SITE_CASES[0]


def _edit_minutes(site) -> None:  # noqa: ANN001
    from cli.sample_site import minutes_lines

    site.write(EDIT_CASE, "minutes.pdf", minutes_lines(EDIT_CASE, edited=True))


def _edit_award(site) -> None:  # noqa: ANN001
    from cli.sample_site import award_lines

    site.write(EDIT_CASE, "award.docx", award_lines(EDIT_CASE, edited=True))


def _resave(site) -> None:  # noqa: ANN001
    """The same bytes written again later (a new Last-Modified, the same content)."""
    import os

    path = site.root / "files" / EDIT_CASE.planted.case_id / "minutes.pdf"
    path.write_bytes(path.read_bytes())
    os.utime(path, (path.stat().st_atime + 86400, path.stat().st_mtime + 86400))


def _publish_new(site) -> None:  # noqa: ANN001
    from cli.sample_site import DOCUMENTS

    site.write(EDIT_CASE, "notice.html", ["新竹縣政府 更正公告", f"案號：{EDIT_CASE.planted.case_id}",
                                          "說明：開標時間更正。"])
    site.write_case_page(EDIT_CASE, DOCUMENTS + ("notice.html",))


def _withdraw_behind_a_failing_page(site) -> None:  # noqa: ANN001
    site.withdraw(EDIT_CASE, "minutes.pdf")
    site.broken.add(f"/cases/{EDIT_CASE.planted.case_id}.html")


EDIT_ROWS = [
    # (id, what the agency does between the crawls, source options, public kinds, auditor kinds)
    ("nothing changed", lambda site: None, {}, [], []),
    ("same bytes saved again", _resave, {}, [], []),
    ("a new attachment is no edit", _publish_new, {}, [], []),
    ("a minute's text changed", _edit_minutes, {}, ["silent_edit"], ["silent_edit"]),
    ("an award amount changed", _edit_award, {}, ["silent_edit"], ["silent_edit"]),
    ("an attachment and its link removed",
     lambda site: site.withdraw(EDIT_CASE, "minutes.pdf"), {},
     ["removed_document"], ["removed_document"]),
    ("a link left to a file that is gone (404)",
     lambda site: site.withdraw(EDIT_CASE, "award.docx", keep_link=True), {},
     ["removed_document"], ["removed_document"]),
    ("an incomplete crawl removes nothing", _withdraw_behind_a_failing_page, {}, [], []),
    ("a restricted source's edit stays internal", _edit_minutes, {"disclosure": "restricted"},
     [], ["silent_edit"]),
]


@pytest.mark.parametrize("change,options,public,auditor", [r[1:] for r in EDIT_ROWS],
                         ids=[r[0] for r in EDIT_ROWS])
def test_edit_flags_between_two_crawls(tmp_path, change, options, public, auditor):
    from cli.sample_site import SOURCE_NAME, SampleSite, website_source
    from collectors.silent_edits import edit_flags
    from collectors.website_crawler import crawl_into

    sources = tmp_path / "sources"
    site = SampleSite(tmp_path / "site").build()
    with site.serve() as url:
        first = crawl_into(website_source(url, **options), sources / SOURCE_NAME).as_dict()
        assert len(first["new"]) == 12 and not first["failed"]
        change(site)
        crawl_into(website_source(url, **options), sources / SOURCE_NAME)
    assert [f.kind for f in edit_flags(sources)] == public
    flags = edit_flags(sources, public_only=False)
    assert [f.kind for f in flags] == auditor
    for flag in flags:
        assert flag.case_id == EDIT_CASE.planted.case_id and flag.agency == "新竹縣政府"
        assert flag.evidence[0].url.startswith(url) and flag.evidence[0].sentence
