"""A realistic, fictional, bilingual sample corpus of integrity-platform cases.

Each case has a background page (HTML), a planning document (DOCX), a tender notice (HTML), a
meeting-materials file (ODT), meeting minutes (PDF), a progress report (multi-page PDF), an award
notice (PDF with a ruled table), a resolution notice (DOCX or ODT) and an English summary (HTML).
PDFs are drawn with a real Traditional-Chinese TrueType font so their text layer is genuine.
Everything is deterministic: the same seed writes the same documents.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from pathlib import Path

FONT_PATH = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
FONT_INDEX = 2  # AR PL UMing TW


@dataclass(frozen=True)
class Contractor:
    name: str
    english: str
    ban: str  # 統一編號


@dataclass(frozen=True)
class Case:
    case_id: str
    agency: str
    agency_short: str
    agency_en: str
    title: str
    title_en: str
    category: str
    method: str
    budget: int
    award: int
    roc_year: int
    winner: Contractor
    bidders: tuple[Contractor, ...]
    chair: str
    location: str


def make_ban(rng: random.Random) -> str:
    from extractors.metadata import ban_is_valid

    while True:
        candidate = "".join(str(rng.randint(0, 9)) for _ in range(8))
        if candidate[0] != "0" and ban_is_valid(candidate):
            return candidate


CONTRACTOR_NAMES = [
    ("台灣宏遠工程股份有限公司", "Hung Yuan Engineering Co., Ltd."),
    ("永續資訊科技股份有限公司", "Evergreen Info Tech Co., Ltd."),
    ("大同營造有限公司", "Da Tong Construction Ltd."),
    ("臺灣數位服務股份有限公司", "Taiwan Digital Services Inc."),
    ("北辰顧問工程有限公司", "Polaris Consulting Engineers Ltd."),
    ("海峰環境工程股份有限公司", "Sea Peak Environmental Engineering Co."),
    ("中興規劃設計有限公司", "Chung Hsing Planning & Design Ltd."),
    ("立信資安股份有限公司", "Lixin Cyber Security Co., Ltd."),
    ("明德機電股份有限公司", "Mingde Mechanical & Electrical Co."),
    ("安和醫療器材有限公司", "Anhe Medical Devices Ltd."),
    ("光華交通科技股份有限公司", "Kuanghua Traffic Technology Co."),
    ("綠野景觀設計有限公司", "Green Field Landscape Design Ltd."),
]

CASE_SPECS = [
    ("臺北市政府捷運工程局", "捷運局", "Department of Rapid Transit Systems, Taipei City Government",
     "萬大線第二期土建統包工程", "Wanda Line Phase II civil works turnkey contract", "工程", "最有利標",
     "台北市中正區"),
    ("臺北市政府資訊局", "資訊局", "Department of Information Technology, Taipei City Government",
     "智慧城市資料平台建置案", "Smart city data platform", "勞務", "最有利標", "臺北市信義區"),
    ("新北市政府水利局", "水利局", "Water Resources Department, New Taipei City Government",
     "淡水河左岸防洪設施改善工程", "Tamsui River left-bank flood defence upgrade", "工程", "最低標",
     "新北市三重區"),
    ("交通部公路局", "公路局", "Highway Bureau, Ministry of Transportation and Communications",
     "台9線蘇花公路邊坡監測系統採購", "Suhua Highway slope monitoring system", "財物", "最有利標",
     "宜蘭縣南澳鄉"),
    ("衛生福利部", "衛福部", "Ministry of Health and Welfare",
     "偏鄉醫療影像設備採購案", "Medical imaging equipment for rural hospitals", "財物", "最低標",
     "花蓮縣"),
    ("臺中市政府環境保護局", "環保局", "Environmental Protection Bureau, Taichung City Government",
     "文山焚化廠整建營運移轉案", "Wenshan incinerator rehabilitate-operate-transfer project", "工程",
     "最有利標", "台中市南屯區"),
    ("數位發展部", "數發部", "Ministry of Digital Affairs",
     "政府骨幹網路資安防護服務案", "Government backbone network cybersecurity service", "勞務", "最有利標",
     "臺北市中正區"),
    ("高雄市政府工務局", "工務局", "Public Works Bureau, Kaohsiung City Government",
     "亞洲新灣區景觀綠廊新建工程", "Asia New Bay Area landscape greenway", "工程", "最低標", "高雄市前鎮區"),
]

CHAIRS = ["陳志明", "林淑芬", "王建國", "張雅婷", "李宗翰", "黃美玲", "吳俊傑", "劉怡君"]
MEMBERS = ["周文彬", "徐佩君", "許家豪", "鄭欣怡", "謝明哲", "蔡宛庭", "曾國華", "彭雅琪", "潘志偉"]


def build_cases(seed: int = 113) -> list[Case]:
    rng = random.Random(seed)
    contractors = [Contractor(zh, en, make_ban(rng)) for zh, en in CONTRACTOR_NAMES]
    cases = []
    for index, (agency, short, agency_en, title, title_en, category, method, location) in \
            enumerate(CASE_SPECS):
        roc_year = 112 + index % 3
        budget = rng.randrange(30, 900) * 1_000_000
        award = int(budget * rng.uniform(0.86, 0.98)) // 1000 * 1000
        bidders = tuple(rng.sample(contractors, 3))
        cases.append(Case(
            case_id=f"{roc_year}{'ABCDEFGH'[index]}{rng.randint(100, 999)}-{index + 1:02d}",
            agency=agency, agency_short=short, agency_en=agency_en, title=title, title_en=title_en,
            category=category, method=method, budget=budget, award=award, roc_year=roc_year,
            winner=bidders[0], bidders=bidders, chair=CHAIRS[index], location=location))
    return cases


def roc(year: int, month: int, day: int) -> str:
    return f"中華民國{year}年{month}月{day}日"


def money(amount: int) -> str:
    return f"新臺幣{amount:,}元"


def header(case: Case, doc_title: str, roc_date: str) -> list[str]:
    return [f"{case.agency} {doc_title}", f"機關名稱：{case.agency}", f"案號：{case.case_id}",
            f"標案名稱：{case.title}", f"日期：{roc_date}", ""]


def background(case: Case) -> list[str]:
    return header(case, "重大採購案件背景說明", roc(case.roc_year, 1, 15)) + [
        "一、背景說明",
        f"{case.agency}為推動「{case.title}」，依據{case.roc_year - 1}年度施政計畫辦理，"
        f"預算金額{money(case.budget)}，屬政府採購法所稱之巨額採購，並納入機關採購廉政平臺。",
        f"本案履約地點位於{case.location}，涉及民眾權益與公共安全，由本府政風處與法務部廉政署共同"
        "建立溝通平臺，強化採購透明與資訊公開。",
        "二、辦理依據",
        "（一）政府採購法第22條、第52條。（二）機關採購廉政平臺實施計畫。",
        f"（三）{case.agency}內部控制制度及採購作業要點。",
        "三、預期效益",
        "提升公共服務品質、確保採購程序公開公正，並防範圍標、綁標及借牌投標等違法情事。",
    ]


def planning(case: Case) -> list[str]:
    return header(case, "採購規劃報告", roc(case.roc_year, 2, 20)) + [
        "壹、規劃概要",
        f"本案採{'公開招標' if case.method == '最低標' else '公開招標並依最有利標精神評選'}，"
        f"決標原則為{case.method}，採購類別為{case.category}採購。",
        f"預算金額：{money(case.budget)}。底價由機關首長或其授權人員核定。",
        "貳、期程規劃",
        f"招標公告：{case.roc_year}年3月；評選委員會會議：{case.roc_year}年4月；"
        f"決標：{case.roc_year}年5月；履約期限自決標次日起算{360 + case.budget % 7 * 30}日曆天。",
        "參、風險評估",
        "一、廠商資格限制是否過當；二、規格是否獨家；三、評選委員利益迴避；四、契約變更管控。",
        "肆、廉政措施",
        "政風室全程參與，評選委員名單於開標前保密，工作小組初審意見公開於廉政平臺。",
    ]


def tender_notice(case: Case) -> list[str]:
    return header(case, "招標公告", roc(case.roc_year, 3, 5)) + [
        f"招標方式：公開招標　決標方式：{case.method}",
        f"預算金額：{money(case.budget)}　是否訂有底價：是",
        f"截止投標：{roc(case.roc_year, 3, 28)} 17時00分",
        f"開標時間：{roc(case.roc_year, 3, 29)} 10時00分　開標地點：{case.agency}第一會議室",
        "投標廠商資格：依法登記之廠商，並檢附統一編號及納稅證明。",
        "押標金：新臺幣五十萬元整。",
        "本案適用政府採購法及其子法，投標須知與需求說明書請於政府電子採購網下載。",
    ]


def meeting_materials(case: Case) -> list[str]:
    return header(case, "評選委員會第1次會議資料", roc(case.roc_year, 4, 8)) + [
        "會議議程",
        "一、主席致詞　二、工作小組初審意見報告　三、廠商簡報及詢答　四、評分及排序",
        "工作小組初審意見",
        *[f"{i + 1}. {b.name}（統一編號：{b.ban}）：資格文件齊全，服務建議書符合需求說明書。"
          for i, b in enumerate(case.bidders)],
        "評選項目與配分：技術能力30分、執行計畫30分、價格20分、簡報及答詢20分。",
        "請評選委員依利益迴避原則簽署聲明書後進行評分。",
    ]


def minutes(case: Case, rng: random.Random) -> list[str]:
    members = rng.sample(MEMBERS, 5)
    scores = sorted((rng.randint(72, 92) for _ in case.bidders), reverse=True)
    return header(case, "評選委員會會議紀錄", roc(case.roc_year, 4, 10)) + [
        f"會議時間：{roc(case.roc_year, 4, 10)}上午9時30分",
        f"會議地點：{case.agency}第二會議室",
        f"主席：{case.chair}　紀錄：{rng.choice(MEMBERS)}",
        f"出席委員：{'、'.join(members)}",
        f"列席人員：{case.agency_short}政風室、採購單位",
        "壹、主席致詞：略。",
        "貳、報告事項：工作小組報告初審結果，各投標廠商資格均符合規定。",
        "參、討論事項",
        f"案由：{case.title}評選結果。",
        "說明：經各委員評分，序位彙整如下：",
        *[f"序位{i + 1}：{b.name}，平均總分{s}分。" for i, (b, s) in
          enumerate(zip(case.bidders, scores, strict=True))],
        f"決議：以{case.winner.name}為最優勝廠商，並依序辦理議價；評選委員會確認無利益衝突情事。",
        "肆、臨時動議：無。",
        "伍、散會：上午11時45分。",
    ]


def progress(case: Case) -> list[list[str]]:
    pages = []
    for quarter in range(1, 4):
        percent = 20 * quarter + case.budget % 10
        pages.append(header(case, f"執行進度報告（第{quarter}季）", roc(case.roc_year + 1, 3 * quarter, 30))
                     + [f"第{quarter}季辦理進度",
                        f"預定進度{percent + 3}%，實際進度{percent}%，落後{3}%。",
                        f"得標廠商{case.winner.name}已提送第{quarter}期工作報告，經監造單位審查通過。",
                        "落後原因：用地取得及管線遷移協調中，已召開協調會議研商改善措施。",
                        "廉政事項：本季無陳情或檢舉案件；契約變更0次。",
                        "下季工作重點：加強施工品質查核、安全衛生督導及民眾溝通。"])
    return pages


def award_notice(case: Case) -> tuple[list[str], list[list[str]]]:
    lines = header(case, "決標公告", roc(case.roc_year, 5, 12)) + [
        f"決標方式：{case.method}",
        f"決標日期：{roc(case.roc_year, 5, 12)}",
        f"得標廠商：{case.winner.name}（統一編號：{case.winner.ban}）",
        f"決標金額：{money(case.award)}",
        f"底價金額：{money(int(case.budget * 0.99) // 1000 * 1000)}",
        "投標廠商家數：3家",
        "",
        "投標廠商一覽表",
    ]
    table = [["廠商名稱", "統一編號", "是否得標"]] + [
        [b.name, b.ban, "是" if b == case.winner else "否"] for b in case.bidders]
    return lines, table


def resolution(case: Case) -> list[str]:
    return header(case, "辦理結果說明", roc(case.roc_year + 1, 12, 20)) + [
        "一、辦理結果",
        f"本案於{roc(case.roc_year, 5, 12)}決標予{case.winner.name}，決標金額{money(case.award)}，"
        f"節省經費{money(case.budget - case.award)}。",
        "二、履約管理",
        "契約變更1次（工期展延30日，未增加契約金額），驗收合格，保固期間自驗收合格日起算。",
        "三、廉政平臺成效",
        "本案會議紀錄及辦理進度均已公開，期間無異議、申訴或檢舉，採購程序公開透明。",
    ]


def english_summary(case: Case) -> list[str]:
    return [f"{case.title_en}: procurement integrity summary",
            f"Agency: {case.agency_en}", f"Case No.: {case.case_id}",
            f"Date: {case.roc_year + 1911}-05-12", "",
            f"The {case.agency_en} procured the {case.title_en} under the Government Procurement "
            f"Act with a budget of NT${case.budget:,}. The contract was awarded to "
            f"{case.winner.english} (business ID {case.winner.ban}) for NT${case.award:,} after an "
            f"evaluation committee meeting on {case.roc_year + 1911}-04-10.",
            "The case is monitored on the Procurement Integrity Platform; meeting minutes, progress "
            "reports and the award notice are published for transparency. No bid rigging or "
            "conflict of interest was reported.",
            f"Location: {case.location}. Procurement category: {case.category}."]


# -- writers ---------------------------------------------------------------------------------------

def write_html(path: Path, lines: list[str], lang: str = "zh-Hant-TW") -> None:
    title = html.escape(lines[0])
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines[1:] if line)
    path.write_text(f"<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
                    f"<title>{title}</title></head>\n<body><nav>首頁 &gt; 廉政平臺專區</nav>"
                    f"<h1>{title}</h1>\n{body}\n<footer>本網頁內容由機關公開</footer></body></html>\n",
                    encoding="utf-8")


def write_docx(path: Path, lines: list[str]) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = lines[0]
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        if line:
            document.add_paragraph(line)
    document.save(str(path))


def write_odt(path: Path, lines: list[str], table: list[list[str]] | None = None) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    from odf import dc

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=lines[0]))
    document.text.addElement(H(outlinelevel=1, text=lines[0]))
    for line in lines[1:]:
        if line:
            document.text.addElement(P(text=line))
    if table:
        t = Table(name="bidders")
        t.addElement(TableColumn(numbercolumnsrepeated=len(table[0])))
        for row in table:
            tr = TableRow()
            for cell in row:
                tc = TableCell()
                tc.addElement(P(text=cell))
                tr.addElement(tc)
            t.addElement(tr)
        document.text.addElement(t)
    document.save(str(path))


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "UMingTW" not in pdfmetrics.getRegisteredFontNames():
        if not FONT_PATH.exists():
            raise RuntimeError(f"{FONT_PATH} is missing: install the Debian package fonts-arphic-uming")
        pdfmetrics.registerFont(TTFont("UMingTW", str(FONT_PATH), subfontIndex=FONT_INDEX))
    return "UMingTW"


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out, line = [], ""
    for ch in text:
        if stringWidth(line + ch, font, size) > width:
            out.append(line)
            line = ch
        else:
            line += ch
    out.append(line)
    return out


def write_pdf(path: Path, pages: list[list[str]], table: list[list[str]] | None = None,
              title: str = "") -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _font()
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle(title or pages[0][0])
    width, height = A4
    margin = 56
    for lines in pages:
        y = height - margin
        c.setFont(font, 15)
        c.drawString(margin, y, lines[0])
        y -= 28
        c.setFont(font, 11)
        for line in lines[1:]:
            for piece in _wrap(line, font, 11, width - 2 * margin):
                c.drawString(margin, y, piece)
                y -= 17
        if table and lines is pages[-1]:
            y -= 10
            col = (width - 2 * margin) / len(table[0])
            row_h = 22
            for r, row in enumerate(table):
                for k, cell in enumerate(row):
                    x = margin + k * col
                    c.rect(x, y - row_h * (r + 1), col, row_h, stroke=1, fill=0)
                    c.drawString(x + 4, y - row_h * (r + 1) + 7, cell)
        c.showPage()
    c.save()


def generate(out_dir: Path, seed: int = 113, integrity_cases: bool = False) -> list[Path]:
    """Write the sample corpus under ``out_dir`` (one folder per case); returns the files.
    ``integrity_cases`` adds the planted red-flag cases of cli/integrity_corpus.py."""
    out_dir = Path(out_dir)
    if integrity_cases:
        from cli.integrity_corpus import generate_integrity

        return generate(out_dir, seed) + generate_integrity(out_dir)
    rng = random.Random(seed)
    written: list[Path] = []
    for number, case in enumerate(build_cases(seed), start=1):
        folder = out_dir / f"case{number:02d}-{case.case_id}"
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            "01-背景說明.html": lambda p, c=case: write_html(p, background(c)),
            "02-採購規劃報告.docx": lambda p, c=case: write_docx(p, planning(c)),
            "03-招標公告.html": lambda p, c=case: write_html(p, tender_notice(c)),
            "04-評選委員會會議資料.odt": lambda p, c=case: write_odt(p, meeting_materials(c)),
            "05-評選委員會會議紀錄.pdf": lambda p, c=case: write_pdf(p, [minutes(c, rng)]),
            "06-執行進度報告.pdf": lambda p, c=case: write_pdf(p, progress(c)),
            "08-english-summary.html": lambda p, c=case: write_html(p, english_summary(c), "en"),
        }
        lines, table = award_notice(case)
        files["07-決標公告.pdf"] = lambda p, l=lines, t=table: write_pdf(p, [l], t)
        if number % 2:
            files["09-辦理結果說明.docx"] = lambda p, c=case: write_docx(p, resolution(c))
        else:
            files["09-辦理結果說明.odt"] = lambda p, c=case: write_odt(p, resolution(c))
        for name in sorted(files):
            path = folder / name
            files[name](path)
            written.append(path)
    return written
