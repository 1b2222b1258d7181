"""Query-equivalence table: two spellings of one query must return the same top hits.
Used by the shared conformance suite (so every backend is held to it)."""

from __future__ import annotations

from search_index import IndexDocument, IndexPage


def _doc(doc_id: str, title: str, text: str) -> IndexDocument:
    return IndexDocument(id=doc_id, title=title, filename=f"{doc_id}.txt",
                         pages=[IndexPage(1, text)], doc_type="other", format="text")


EQ_DOCS = [
    _doc("date-a", "評選會議", "評選委員會會議於中華民國113年5月2日上午召開，出席委員五人。"),
    _doc("date-b", "決標公告", "決標日期：2023-11-20，本案依最低標決標。"),
    _doc("date-c", "開標紀錄", "開標時間：112/03/08 上午十時，地點第一會議室。"),
    _doc("amount-a", "決標金額", "決標金額新臺幣壹佰貳拾萬元整，由得標廠商簽約。"),
    _doc("amount-b", "預算書", "本案預算金額 3,450,000 元，分兩年編列。"),
    _doc("amount-c", "契約變更", "契約金額調整為新台幣85萬元，增加項目詳如附件。"),
    _doc("case-a", "智慧城市", "案號：112A558-01，智慧城市資料平台建置。"),
    _doc("case-b", "捷運工程", "標案案號 TPE-2024-0037 捷運延伸線土建工程。"),
    _doc("script-a", "資訊服務", "政府採購評選委員會會議紀錄：資訊服務廠商之簡報與詢答。"),
    _doc("tai-a", "道路養護", "臺北市政府工務局辦理道路養護及人行道改善。"),
    _doc("width-a", "顧問公司", "ABC工程顧問公司投標，提出Web平台與API整合方案。"),
    _doc("variant-a", "公告欄", "公布欄裏張貼了履約爭議調解的說明。"),
]

# (spelling A, spelling B, the document both must put first)
EQUIVALENT_QUERIES = [
    # ROC and Gregorian dates
    ("民國113年5月2日", "2024-05-02", "date-a"),
    ("中華民國113年5月2日", "2024/5/2", "date-a"),
    ("113年5月2日", "2024年5月2日", "date-a"),
    ("113/05/02", "2024-05-02", "date-a"),
    ("113.5.2", "2024.05.02", "date-a"),
    ("113/5/2", "20240502", "date-a"),
    ("112年11月20日", "2023-11-20", "date-b"),
    ("民國112年11月20日", "2023/11/20", "date-b"),
    ("112/11/20", "2023年11月20日", "date-b"),
    ("112.11.20", "20231120", "date-b"),
    ("112/03/08", "2023-03-08", "date-c"),
    ("民國112年3月8日", "2023/3/8", "date-c"),
    ("112年3月8日", "2023年3月8日", "date-c"),
    ("112.3.8", "20230308", "date-c"),
    # Chinese and Arabic amounts
    ("新臺幣壹佰貳拾萬元", "1,200,000元", "amount-a"),
    ("壹佰貳拾萬元", "1200000元", "amount-a"),
    ("一百二十萬元", "120萬元", "amount-a"),
    ("新台幣120萬元", "NT$1,200,000", "amount-a"),
    ("1,200,000 元", "新臺幣一百二十萬元", "amount-a"),
    ("3,450,000元", "345萬元", "amount-b"),
    ("參佰肆拾伍萬元", "三百四十五萬元", "amount-b"),
    ("新臺幣3,450,000元", "3450000元", "amount-b"),
    ("345萬元", "NT$3,450,000", "amount-b"),
    ("85萬元", "850,000元", "amount-c"),
    ("新台幣捌拾伍萬元", "八十五萬元", "amount-c"),
    ("850000元", "新臺幣85萬元", "amount-c"),
    # case numbers with or without separators
    ("112A558-01", "112A55801", "case-a"),
    ("112-A558-01", "112a558-01", "case-a"),
    ("112A558_01", "112A558/01", "case-a"),
    ("TPE-2024-0037", "TPE20240037", "case-b"),
    ("tpe-2024-0037", "TPE_2024_0037", "case-b"),
    ("TPE/2024/0037", "tpe20240037", "case-b"),
    # Simplified and Traditional
    ("政府採購", "政府采购", "script-a"),
    ("評選委員會會議紀錄", "评选委员会会议纪录", "script-a"),
    ("會議紀錄", "会议纪录", "script-a"),
    ("資訊服務", "资讯服务", "script-a"),
    ("簡報與詢答", "简报与询答", "script-a"),
    ('"評選委員會會議紀錄"', '"评选委员会会议纪录"', "script-a"),
    ("道路養護", "道路养护", "tai-a"),
    ("工務局", "工务局", "tai-a"),
    ("履約爭議調解", "履约争议调解", "variant-a"),
    # 臺 and 台
    ("臺北市政府", "台北市政府", "tai-a"),
    ("臺北", "台北", "tai-a"),
    ("臺北市政府工務局", "台北市政府工务局", "tai-a"),
    ('"臺北市政府"', '"台北市政府"', "tai-a"),
    ("新臺幣壹佰貳拾萬元整", "新台幣壹佰貳拾萬元整", "amount-a"),
    # full-width and half-width
    ("ＡＢＣ工程顧問", "ABC工程顧問", "width-a"),
    ("Ｗｅｂ平台", "web平台", "width-a"),
    ("ＡＰＩ整合", "api整合", "width-a"),
    ("１１２Ａ５５８－０１", "112A558-01", "case-a"),
    ("２０２４－０５－０２", "2024-05-02", "date-a"),
    ("ＴＰＥ－２０２４－００３７", "TPE-2024-0037", "case-b"),
    ("３，４５０，０００元", "3,450,000元", "amount-b"),
    ("１１３年５月２日", "113年5月2日", "date-a"),
    # variant characters
    ("公布欄裏", "公布欄裡", "variant-a"),
    ("公布欄裏", "公布栏里", "variant-a"),
    # mixed: several equivalences at once
    ("臺北 道路養護", "台北 道路养护", "tai-a"),
    ("决标日期 2023-11-20", "決標日期 112年11月20日", "date-b"),
    ("契约金额 新台币85万元", "契約金額 850,000元", "amount-c"),
    ("案號 112A558-01", "案号 112a55801", "case-a"),
    ("開標時間 民國112年3月8日", "开标时间 2023/03/08", "date-c"),
    ("ABC 投標", "ａｂｃ 投标", "width-a"),
]
