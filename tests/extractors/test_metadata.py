"""Metadata from text and file names, as table tests: every row is one real-looking input and the
value it must give. Covers case numbers, ROC and Gregorian dates (full-width digits and Chinese
numerals included), amounts, 統一編號 (checksum computed here, independently of the code under
test), document types, contractors, case titles, agencies and the people named in minutes."""

from __future__ import annotations

import random
from datetime import date

import pytest

from extractors.metadata import (
    DOC_TYPES,
    DocumentMetadata,
    ban_is_valid,
    detect_lang,
    doc_type_of,
    extract_metadata,
    find_amounts,
    find_bans,
    find_contractors,
    find_date,
    find_meeting_date,
    find_roles,
    parse_date,
    person_name,
)


def _meta(text: str, title: str = "", filename: str = "") -> DocumentMetadata:
    return extract_metadata(title, filename, text)


# -- case numbers ------------------------------------------------------------------------------

CASE_NUMBERS = [
    ("案號：112A558-01", "112A558-01"),
    ("案號: 112A55801", "112A55801"),
    ("標案案號：1130502-01", "1130502-01"),
    ("採購案號：PCC1130045", "PCC1130045"),
    ("招標案號：113-F-003", "113-F-003"),
    ("標案編號：A113_0007", "A113_0007"),
    ("案件編號：11305B0021", "11305B0021"),
    ("案號 113E214-07 標案名稱：政府骨幹網路資安防護服務案", "113E214-07"),
    ("案　號：112H777", "112H777"),  # letter-spaced label
    ("Case No.: 112A558-01", "112A558-01"),
    ("Case No. 113G365-07", "113G365-07"),
    ("Case Number: NTPC-113-0042", "NTPC-113-0042"),
    ("Tender No.: 113CHT0088.", "113CHT0088"),
    ("案號：１１２Ａ５５８－０１", "112A558-01"),  # full-width digits and letters
    ("案號：113.05.001", "113.05.001"),
    ("機關名稱：新北市政府水利局\n案號：114C902-03\n標案名稱：淡水河左岸防洪設施改善工程", "114C902-03"),
    ("標案案號：(113)A001號", "(113)A001"),  # cut at the first CJK character
    ("案號：詳如附件", ""),
    ("案號：ABC", ""),
    ("本案無案號。", ""),
    ("採購案號:1130318A01 公告日期:113/03/18", "1130318A01"),
]


@pytest.mark.parametrize("text,expected", CASE_NUMBERS)
def test_case_number(text, expected):
    assert _meta(text).case_id == expected


# -- dates -------------------------------------------------------------------------------------

DATES = [
    ("民國113年5月2日", date(2024, 5, 2)),
    ("中華民國113年5月2日", date(2024, 5, 2)),
    ("中華民國 113 年 05 月 02 日（星期四）", date(2024, 5, 2)),
    ("民國99年12月31日", date(2010, 12, 31)),
    ("民國1年1月1日", date(1912, 1, 1)),
    ("113年5月2日", date(2024, 5, 2)),
    ("112年10月15日上午9時30分", date(2023, 10, 15)),
    ("113/05/02", date(2024, 5, 2)),
    ("113/5/2", date(2024, 5, 2)),
    ("113.5.2", date(2024, 5, 2)),
    ("113.05.02", date(2024, 5, 2)),
    ("113-05-02", date(2024, 5, 2)),
    ("中華民國一一三年五月二日", date(2024, 5, 2)),
    ("中華民國一百十三年五月二日", date(2024, 5, 2)),
    ("民國一百一十二年十二月三十一日", date(2023, 12, 31)),
    ("中華民國九十九年十月十日", date(2010, 10, 10)),
    ("中華民國１１３年５月２日", date(2024, 5, 2)),  # full-width digits
    ("１１３／０５／０２", date(2024, 5, 2)),
    ("１１３．５．２", date(2024, 5, 2)),
    ("2024-05-02", date(2024, 5, 2)),
    ("2024/5/2", date(2024, 5, 2)),
    ("2024.05.02", date(2024, 5, 2)),
    ("2024年5月2日", date(2024, 5, 2)),
    ("２０２４－０５－０２", date(2024, 5, 2)),
    ("May 2, 2024", date(2024, 5, 2)),
    ("2 May 2024", date(2024, 5, 2)),
    ("September 30th, 2023", date(2023, 9, 30)),
    ("民國113年2月30日", None),  # no such day
    ("113/13/02", None),
    ("113/05/021", None),
    ("第22條、第52條", None),
    ("預算新臺幣894,000,000元", None),
    ("", None),
]


@pytest.mark.parametrize("text,expected", DATES)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


DOCUMENT_DATES = [
    ("公告日期：113/03/18\n截止投標：113/04/01", date(2024, 3, 18)),
    ("截止日期：113/04/01\n開標時間：113/04/02\n公告日期：113/03/18", date(2024, 3, 18)),
    ("決標日期：中華民國112年5月12日", date(2023, 5, 12)),
    ("發文日期：中華民國113年1月5日\n發文字號：北市捷字第1133000123號", date(2024, 1, 5)),
    ("日　期：113年7月1日", date(2024, 7, 1)),
    ("Date: 2023-05-12\nThe committee met on 2023-04-10.", date(2023, 5, 12)),
    ("本案於中華民國112年5月12日決標。", date(2023, 5, 12)),
    ("依112年4月10日評選會議結論辦理。", date(2023, 4, 10)),
    ("會議時間：113年4月10日上午9時30分", date(2024, 4, 10)),
    ("日期：詳如附件\n本案於113年6月3日公告。", date(2024, 6, 3)),
    ("no date in here", None),
]


@pytest.mark.parametrize("text,expected", DOCUMENT_DATES)
def test_document_date(text, expected):
    assert find_date(text) == expected


MEETING_DATES = [
    ("日期：113年4月12日\n會議時間：中華民國113年4月10日上午9時30分", False, date(2024, 4, 10)),
    ("開會時間：113年5月2日(星期四)下午2時", False, date(2024, 5, 2)),
    ("會議日期：2024-05-02", False, date(2024, 5, 2)),
    ("一、時間：一一三年五月二日上午十時\n二、地點：本局第一會議室", True, date(2024, 5, 2)),
    ("時　間：113/05/02 10:00", True, date(2024, 5, 2)),
    ("時間：113/05/02 10:00", False, None),  # a bare 時間 only counts in minutes and materials
    ("開標時間：113年3月29日10時00分", True, None),
    ("公告日期：113/03/18", True, None),
]


@pytest.mark.parametrize("text,bare,expected", MEETING_DATES)
def test_meeting_date(text, bare, expected):
    assert find_meeting_date(text, bare_time_label=bare) == expected


def test_meeting_date_is_kept_apart_from_the_document_date():
    meta = _meta("評選委員會會議紀錄\n日期：中華民國113年4月12日\n會議時間：中華民國113年4月10日上午9時30分")
    assert (meta.date, meta.meeting_date) == (date(2024, 4, 12), date(2024, 4, 10))


# -- amounts -----------------------------------------------------------------------------------

AMOUNTS = [
    ("決標金額：新臺幣809,880,000元", [809_880_000]),
    ("預算金額新臺幣894,000,000元。", [894_000_000]),
    ("新台幣1,200,000元整", [1_200_000]),
    ("1,200,000元", [1_200_000]),
    ("1200000元", [1_200_000]),
    ("120萬元", [1_200_000]),
    ("新臺幣120萬元", [1_200_000]),
    ("1.5億元", [150_000_000]),
    ("新臺幣3億2,000萬元", [320_000_000]),
    ("新臺幣3億2千萬元", [320_000_000]),
    ("新臺幣五十萬元整", [500_000]),
    ("壹佰貳拾萬元整", [1_200_000]),
    ("新臺幣捌億零玖佰捌拾捌萬元整", [809_880_000]),
    ("新臺幣壹億貳仟參佰肆拾伍萬陸仟柒佰捌拾玖元整", [123_456_789]),
    ("一百二十萬元", [1_200_000]),
    ("新臺幣兩千五百萬元", [25_000_000]),
    ("NT$894,000,000", [894_000_000]),
    ("NT$ 1,200,000.", [1_200_000]),
    ("a budget of NT$1.2 million", [1_200_000]),
    ("NT$3 billion", [3_000_000_000]),
    ("NTD 500,000", [500_000]),
    ("新臺幣１，２００，０００元", [1_200_000]),  # full-width digits and commas
    ("底價金額：885,060,000", [885_060_000]),
    ("決標金額：新臺幣809,880,000元，節省經費新臺幣84,120,000元。", [809_880_000, 84_120_000]),
    ("押標金新臺幣五十萬元，履約保證金為契約金額之5%。", [500_000]),
    ("預算：3年", []),
    ("履約期限510日曆天，投標廠商家數：3家", []),
    ("單位：千元", []),
    ("推動一元化窗口，避免二元論。", []),
    ("新臺幣千萬元以上之採購", []),
    ("預定進度23%，實際進度20%。", []),
    ("政府採購法第22條", []),
    ("中華民國113年5月2日", []),
    ("1,200元與1200元與新臺幣壹仟貳佰元", [1200]),
]


@pytest.mark.parametrize("text,expected", AMOUNTS)
def test_amounts(text, expected):
    assert find_amounts(text) == expected


def test_amounts_reach_the_metadata():
    assert _meta("決標金額：新臺幣809,880,000元\n底價金額：新臺幣885,060,000元").amounts == (
        809_880_000, 885_060_000)


# -- 統一編號 ----------------------------------------------------------------------------------

WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)


def _digit_sum(ban: str) -> int:
    return sum(sum(divmod(int(d) * w, 10)) for d, w in zip(ban, WEIGHTS, strict=True))


def _old_rule(ban: str) -> bool:  # before 2023: divisible by 10
    total = _digit_sum(ban)
    return total % 10 == 0 or (ban[6] == "7" and (total + 1) % 10 == 0)


def _plain_new_rule(ban: str) -> bool:  # 2023: divisible by 5, without the 7th-digit exception
    return _digit_sum(ban) % 5 == 0


def _seventh_digit_rule(ban: str) -> bool:  # valid only because the 7th digit is 7
    total = _digit_sum(ban)
    return ban[6] == "7" and total % 5 != 0 and (total + 1) % 5 == 0


def _wide(digits: str) -> str:
    return "".join(chr(0xFF10 + int(d)) for d in digits)


def _draw(predicate, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        ban = f"{rng.randrange(10**7, 10**8)}"
        if rng.random() < 0.5:  # plenty of 7th-digit-7 candidates
            ban = ban[:6] + "7" + ban[7]
        if predicate(ban) and ban not in out:
            out.append(ban)
    return out


OLD_RULE = _draw(lambda b: _old_rule(b) and _plain_new_rule(b), 5, 1)
ONLY_2023 = _draw(lambda b: _plain_new_rule(b) and not _old_rule(b), 5, 2)
SEVENTH = _draw(_seventh_digit_rule, 4, 3)
INVALID = _draw(lambda b: not _plain_new_rule(b) and not _seventh_digit_rule(b), 5, 4)

BANS = (
    [(b, True) for b in OLD_RULE + ONLY_2023 + SEVENTH]
    + [(b, False) for b in INVALID]
    + [("22099131", True), ("10458574", True), ("10458575", True),
       ("1234567", False), ("123456789", False), ("", False), ("2209913A", False),
       ("22 99131", False), ("２２０９９１３１", False), ("-2209913", False)]
)


def test_drawn_numbers_really_are_what_their_rows_claim():
    assert all(not _old_rule(b) for b in ONLY_2023)
    assert all(_old_rule(b) for b in OLD_RULE)
    assert all(not _plain_new_rule(b) and b[6] == "7" for b in SEVENTH)
    assert _old_rule("22099131") and _plain_new_rule("10458575")
    assert _seventh_digit_rule("10458574")


@pytest.mark.parametrize("ban,valid", BANS)
def test_ban_checksum(ban, valid):
    assert ban_is_valid(ban) is valid


FIND_BANS = [
    (f"統一編號：{ONLY_2023[0]}", [ONLY_2023[0]]),
    (f"（統一編號：{SEVENTH[0]}）", [SEVENTH[0]]),
    (f"統編 {OLD_RULE[0]}", [OLD_RULE[0]]),
    (f"營利事業統一編號：{OLD_RULE[1]}", [OLD_RULE[1]]),
    (f"business ID {ONLY_2023[1]}", [ONLY_2023[1]]),
    (f"統一編號：{INVALID[0]}", []),
    (f"電話：{ONLY_2023[2]}", []),
    (f"收文編號 {ONLY_2023[3]}", []),
    (f"廠商名稱 統一編號 是否得標\n光華交通科技股份有限公司 {OLD_RULE[2]} 是\n"
     f"明德機電股份有限公司 {SEVENTH[1]} 否", [OLD_RULE[2], SEVENTH[1]]),
    (f"統一編號：{_wide(OLD_RULE[3])}", [OLD_RULE[3]]),
    (f"統一編號：{OLD_RULE[4]}，統一編號：{OLD_RULE[4]}", [OLD_RULE[4]]),
]


@pytest.mark.parametrize("text,expected", FIND_BANS)
def test_find_bans(text, expected):
    assert find_bans(text) == expected


# -- document types ----------------------------------------------------------------------------

DOC_TYPE_ROWS = [
    # (title, file name, text, type)
    ("臺北市政府捷運工程局 評選委員會會議紀錄", "", "", "meeting_minutes"),
    ("萬大線第二期土建統包工程評選會議紀錄", "", "", "meeting_minutes"),
    ("113年度第2次工作小組會議紀錄", "", "", "meeting_minutes"),
    ("採購評選委員會第1次會議記錄", "", "", "meeting_minutes"),
    ("履約爭議協調會紀錄", "", "", "meeting_minutes"),
    ("廉政平臺第3次會議紀要", "", "", "meeting_minutes"),
    ("Minutes of the Evaluation Committee", "", "", "meeting_minutes"),
    ("評選委員會第1次會議資料", "", "", "meeting_materials"),
    ("工作小組會議議程", "", "", "meeting_materials"),
    ("廠商簡報資料", "", "", "meeting_materials"),
    ("決標公告", "", "", "award_notice"),
    ("決標結果公告", "", "", "award_notice"),
    ("決標更正公告", "", "", "award_notice"),
    ("開標/決標紀錄", "", "", "award_notice"),
    ("Award notice", "", "", "award_notice"),
    ("招標公告", "", "", "tender_notice"),
    ("公開招標公告", "", "", "tender_notice"),
    ("公開招標更正公告", "", "", "tender_notice"),
    ("更正公告", "", "", "tender_notice"),
    ("公開閱覽公告", "", "", "tender_notice"),
    ("流標公告", "", "", "tender_notice"),
    ("廢標公告", "", "", "tender_notice"),
    ("無法決標公告", "", "", "tender_notice"),  # not an award although it says 決標
    ("開標紀錄", "", "", "tender_notice"),  # a procedure form, not committee minutes
    ("Invitation to tender", "", "", "tender_notice"),
    ("辦理結果說明", "", "", "resolution"),
    ("結案報告", "", "", "resolution"),
    ("執行進度報告（第1季）", "", "", "progress"),
    ("113年第3季執行情形", "", "", "progress"),
    ("採購規劃報告", "", "", "planning"),
    ("重大採購案件背景說明", "", "", "background"),
    ("案件緣起", "", "", "background"),
    ("Wanda Line Phase II civil works: procurement integrity summary", "", "", "other"),
    ("", "05-評選委員會會議紀錄.pdf", "", "meeting_minutes"),
    ("", "1130502_決標公告.pdf", "", "award_notice"),
    ("", "112A558-01_minutes.pdf", "", "meeting_minutes"),
    ("", "agenda_0410.docx", "", "meeting_materials"),
    ("", "scan0001.pdf", "首頁 > 廉政平臺專區\n臺北市政府 招標公告\n機關名稱：臺北市政府", "tender_notice"),
    ("Microsoft Word - 1130410.docx", "1130410.docx", "臺北市政府捷運工程局\n評選委員會會議紀錄\n",
     "meeting_minutes"),
    ("", "report.pdf", "第一段\n第二段\n第三段\n第四段\n第五段\n第六段會議紀錄", "other"),  # not a heading
    ("", "", "", "other"),
    ("ｍｉｎｕｔｅｓ", "", "", "meeting_minutes"),  # full-width Latin letters
]


@pytest.mark.parametrize("title,filename,text,expected", DOC_TYPE_ROWS)
def test_doc_type(title, filename, text, expected):
    assert expected in DOC_TYPES
    assert doc_type_of(title, filename, text) == expected


def test_title_wins_over_file_name():
    assert doc_type_of("決標公告", "05-評選委員會會議紀錄.pdf", "") == "award_notice"


# -- contractors -------------------------------------------------------------------------------

CONTRACTORS = [
    ("得標廠商：光華交通科技股份有限公司（統一編號：54501245）", ["光華交通科技股份有限公司"]),
    ("決議：以光華交通科技股份有限公司為最優勝廠商", ["光華交通科技股份有限公司"]),
    ("本案於中華民國112年5月12日決標予光華交通科技股份有限公司，決標金額", ["光華交通科技股份有限公司"]),
    ("得標廠商光華交通科技股份有限公司已提送第1期工作報告", ["光華交通科技股份有限公司"]),
    ("序位1：明德機電股份有限公司，平均總分85分。", ["明德機電股份有限公司"]),
    ("廠商名稱 統一編號\n大同營造有限公司 12345678\n北辰顧問工程有限公司 23456789",
     ["大同營造有限公司", "北辰顧問工程有限公司"]),
    ("1. 立信資安股份有限公司（統一編號：12345678）：資格文件齊全", ["立信資安股份有限公司"]),
    ("本案由由田新技股份有限公司得標", ["由田新技股份有限公司"]),
    ("和泰汽車股份有限公司\n決議：以和泰汽車股份有限公司為最優勝廠商", ["和泰汽車股份有限公司"]),
    ("委由張三建築師事務所辦理設計", ["張三建築師事務所"]),
    ("由永豐土木包工業工程行承作", ["永豐土木包工業工程行"]),
    ("本公司為有限公司組織", []),
    ("股份有限公司設立登記", []),
    # English names are not read from text (see find_contractors): the collector's list is used
    ("The contract was awarded to Kuanghua Traffic Technology Co. (business ID 54501245)", []),
    ("Party: AnyCorp Cycle Provision (supplier)  Party: Beta Corp Construction (tenderer)", []),
    ("得標廠商：臺灣數位服務股份有限公司 (Taiwan Digital Services Inc.)", ["臺灣數位服務股份有限公司"]),
]


@pytest.mark.parametrize("text,expected", CONTRACTORS)
def test_contractors(text, expected):
    assert find_contractors(text) == expected


# -- people in minutes -------------------------------------------------------------------------

ROLES = [
    # (text, chair, attendees, recorder)
    ("主席：陳志明　紀錄：周文彬\n出席委員：周文彬、謝明哲、潘志偉、鄭欣怡、彭雅琪",
     "陳志明", ("周文彬", "謝明哲", "潘志偉", "鄭欣怡", "彭雅琪"), "周文彬"),
    ("主　席：林淑芬\n記　錄：王小明", "林淑芬", (), "王小明"),
    ("主席：王建國局長\n紀錄：張雅婷", "王建國", (), "張雅婷"),
    ("主席：陳處長志明", "陳志明", (), ""),
    ("主席：陳主任委員志明（召集人）", "陳志明", (), ""),
    ("主席：王局長", "", (), ""),  # a title without a given name is no name
    ("主持人：歐陽志明", "歐陽志明", (), ""),
    ("主席：李宗翰 記錄人：劉怡君", "李宗翰", (), "劉怡君"),
    ("出席人員：周文彬、謝明哲，潘志偉 鄭欣怡　彭雅琪", "",
     ("周文彬", "謝明哲", "潘志偉", "鄭欣怡", "彭雅琪"), ""),
    ("出席委員：周委員文彬、謝明哲委員、委員潘志偉", "", ("周文彬", "謝明哲", "潘志偉"), ""),
    ("出席委員：周文彬、謝明哲、\n潘志偉、鄭欣怡\n列席人員：政風室", "",
     ("周文彬", "謝明哲", "潘志偉", "鄭欣怡"), ""),
    ("出席委員：周文彬、謝明哲（請假）、潘志偉", "", ("周文彬", "潘志偉"), ""),
    ("出席委員：詳簽到表", "", (), ""),
    ("出（列）席人員：如簽到單", "", (), ""),
    ("出席人員：捷運局政風室、採購單位、林如玉", "", ("林如玉",), ""),
    ("列席人員：捷運局政風室、陳志明", "", (), ""),
    ("壹、主席致詞：略。\n貳、報告事項：無。", "", (), ""),
    ("臺北市政府 評選委員會會議紀錄：第1次", "", (), ""),
    ("一、時間：113年5月2日\n二、地點：第一會議室\n三、主席：黃美玲\n四、出席人員：吳俊傑、劉怡君\n五、紀錄：彭雅琪",
     "黃美玲", ("吳俊傑", "劉怡君"), "彭雅琪"),
    ("主席:張雅婷  紀錄:徐佩君", "張雅婷", (), "徐佩君"),
    ("主席：本局局長 王建國\n出席人員：國立臺灣大學 教授 陳志明、林淑芬", "王建國", ("陳志明", "林淑芬"), ""),
    ("主持人：臺北市政府捷運工程局局長", "", (), ""),
]


@pytest.mark.parametrize("text,chair,attendees,recorder", ROLES)
def test_roles_in_minutes(text, chair, attendees, recorder):
    assert find_roles(text) == (chair, attendees, recorder)


PERSON_NAMES = [
    ("陳志明", "陳志明"), ("陳志明委員", "陳志明"), ("委員陳志明", "陳志明"), ("陳委員志明", "陳志明"),
    ("林副處長淑芬", "林淑芬"), ("政風室主任王建國", "王建國"), ("王建國（代理）", "王建國"),
    ("歐陽志明", "歐陽志明"), ("王局長", ""), ("政風室", ""), ("採購單位", ""), ("詳簽到表", ""),
    ("陳", ""), ("ABC", ""), ("陳志明等5人", "陳志明"), ("國立臺灣大學土木工程學系教授陳志明", "陳志明"),
    ("歐陽委員志明", "歐陽志明"), ("本局局長", ""), ("林如玉", "林如玉"),
]


@pytest.mark.parametrize("token,expected", PERSON_NAMES)
def test_person_name(token, expected):
    assert person_name(token) == expected


# -- agency, case title, language, the whole record -------------------------------------------

FIELDS = [
    ("機關名稱：臺北市政府捷運工程局\n案號：112A558-01", "agency", "臺北市政府捷運工程局"),
    ("招標機關：新北市政府水利局（水利工程科）", "agency", "新北市政府水利局"),
    ("Agency: Ministry of Digital Affairs\nCase No.: 113G365-07", "agency",
     "Ministry of Digital Affairs"),
    ("標案名稱：萬大線第二期土建統包工程", "case_title", "萬大線第二期土建統包工程"),
    ("案名：「智慧城市資料平台建置案」", "case_title", "智慧城市資料平台建置案"),
    ("採購案名：偏鄉醫療影像設備採購案　案號：113E001", "case_title", "偏鄉醫療影像設備採購案"),
    ("標案名稱:淡水河左岸防洪設施改善工程。", "case_title", "淡水河左岸防洪設施改善工程"),
    ("備註：本案名稱暫定", "case_title", ""),
    ("The committee met and the contract was awarded to a company.", "lang", "en"),
    ("臺北市政府捷運工程局 評選委員會會議紀錄", "lang", "zh-Hant"),
    ("Location: 台北市中正區. Procurement category: 工程 and many more English words here.", "lang",
     "mixed"),
]


@pytest.mark.parametrize("text,field,expected", FIELDS)
def test_fields(text, field, expected):
    assert getattr(_meta(text), field) == expected


def test_detect_lang_of_mixed_text():
    assert detect_lang("評選委員會 evaluation committee meeting minutes 會議") == "mixed"


def test_whole_minutes_record():
    text = ("臺北市政府捷運工程局 評選委員會會議紀錄\n機關名稱：臺北市政府捷運工程局\n案號：１１２Ａ５５８－０１\n"
            "標案名稱：萬大線第二期土建統包工程\n日期：中華民國112年4月12日\n"
            "會議時間：中華民國112年4月10日上午9時30分\n主席：陳志明　紀錄：周文彬\n"
            "出席委員：周文彬、謝明哲\n決議：以光華交通科技股份有限公司為最優勝廠商。")
    meta = _meta(text, title="臺北市政府捷運工程局 評選委員會會議紀錄", filename="05-minutes.pdf")
    assert meta == DocumentMetadata(
        doc_type="meeting_minutes", case_id="112A558-01", agency="臺北市政府捷運工程局",
        date=date(2023, 4, 12), lang="zh-Hant", contractors=("光華交通科技股份有限公司",), bans=(),
        amounts=(), case_title="萬大線第二期土建統包工程", meeting_date=date(2023, 4, 10),
        chair="陳志明", attendees=("周文彬", "謝明哲"), recorder="周文彬")
