import pytest

from search_index.query_language import Clause, parse_query


@pytest.mark.parametrize("text,clauses", [
    ("廠商", [Clause("廠商")]),
    ("臺北 廠商", [Clause("臺北"), Clause("廠商")]),
    ('"評選 委員會"', [Clause("評選 委員會", phrase=True)]),
    ('-"流標 公告"', [Clause("流標 公告", "must_not", True)]),
    ("+得標 廠商", [Clause("得標", "must"), Clause("廠商")]),
    ("-流標 廠商", [Clause("流標", "must_not"), Clause("廠商")]),
    ("a AND b", [Clause("a", "must"), Clause("b", "must")]),
    ("a OR b", [Clause("a"), Clause("b", either=True)]),
    ("a OR b OR c d", [Clause("a"), Clause("b", either=True), Clause("c", either=True),
                       Clause("d")]),
    ('"a b" OR c', [Clause("a b", phrase=True), Clause("c")]),  # OR joins words only
    ("a OR -b", [Clause("a"), Clause("b", "must_not")]),
    ("OR a", [Clause("a")]),
    ("NOT a b", [Clause("a", "must_not"), Clause("b")]),
    ('"unbalanced phrase', [Clause("unbalanced phrase", phrase=True)]),
    ("AND OR NOT", []),
    ("- + (( ))", []),
    ("", []),
    ("title:廠商", [Clause("title:廠商")]),
    ("and or", [Clause("and"), Clause("or")]),
])
def test_parse(text, clauses):
    assert list(parse_query(text).clauses) == clauses


def test_only_exclusions_is_empty_positive():
    parsed = parse_query("-流標")
    assert parsed.is_empty and parsed.clauses


def test_never_raises_on_garbage():
    for text in ['"' * 7, "\\\\", "(" * 500, "NOT NOT NOT", "\x00\x01", "+-+-"]:
        parse_query(text)
