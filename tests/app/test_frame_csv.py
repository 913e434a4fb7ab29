"""The frame CSV: a good file reads whole; every bad row is reported by row and column."""

from __future__ import annotations

import pytest

from survey_app.design.frame_csv import parse_frame, problem_lines
from survey_app.errors import InvalidInputError

HEADER = (
    "district_code,district_name,street_code,street_name,community_code,community_name,"
    "population,age_14_29|male,age_14_29|female,age_60_plus|male,age_60_plus|female"
)
GOOD_ROWS = [
    "D01,东城区,D01S01,东华街道,C001,幸福社区,4000,1000,1000,1000,1000",
    "D01,东城区,D01S01,东华街道,C002,和谐社区,3000,700,800,700,800",
    "D01,东城区,D01S02,建国街道,C003,文明社区,5000,1200,1300,1200,1300",
    "D02,西城区,D02S01,月坛街道,C004,阳光社区,2000,500,500,500,500",
]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def problems(content: bytes) -> list[str]:
    with pytest.raises(InvalidInputError) as raised:
        parse_frame(content)
    assert raised.value.message == "the frame file has problems; nothing was stored"
    return problem_lines(raised.value.details, str)


def test_a_good_file_gives_districts_streets_communities_and_margins() -> None:
    frame = parse_frame(csv_bytes(*GOOD_ROWS))
    assert frame.districts == {"D01": "东城区", "D02": "西城区"}
    assert frame.streets == {
        "D01S01": ("东华街道", "D01"),
        "D01S02": ("建国街道", "D01"),
        "D02S01": ("月坛街道", "D02"),
    }
    assert [c.code for c in frame.communities] == ["C001", "C002", "C003", "C004"]
    assert frame.communities[1].margins == {
        ("age_14_29", "male"): 700,
        ("age_14_29", "female"): 800,
        ("age_60_plus", "male"): 700,
        ("age_60_plus", "female"): 800,
    }


def test_excel_bom_gb18030_crlf_and_blank_lines_are_read() -> None:
    text = "\r\n".join([HEADER, GOOD_ROWS[0], "", GOOD_ROWS[3]]) + "\r\n"
    assert len(parse_frame(b"\xef\xbb\xbf" + text.encode()).communities) == 2
    assert parse_frame(text.encode("gb18030")).districts["D01"] == "东城区"


def test_margins_are_optional() -> None:
    header = ",".join(HEADER.split(",")[:7])
    frame = parse_frame(csv_bytes("D01,东城区,D01S01,东华街道,C001,幸福社区,4000", header=header))
    assert frame.communities[0].margins == {}
    assert frame.cells == ()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "D01,东城区,D01S01,东华街道,,幸福社区,4000,1,1,1,1",
            "row 3, community_code: missing",
        ),
        (
            "D01,东城区,D01S01,东华街道,C009,幸福社区,-5,1,1,1,1",
            "row 3, population: negative: -5",
        ),
        (
            "D01,东城区,D01S01,东华街道,C009,幸福社区,4000,1,-2,1,1",
            "row 3, age_14_29|female: negative: -2",
        ),
        (
            "D01,东城区,D01S01,东华街道,C009,幸福社区,四千,1,1,1,1",
            "row 3, population: not a whole number: 四千",
        ),
        (
            "D01,东城区,D01S01,东华街道,C009,幸福社区,4000,1,1,1.5,1",
            "row 3, age_60_plus|male: not a whole number: 1.5",
        ),
        (
            "D01,东城区,D01S01,东华街道,C001,又一社区,4000,1,1,1,1",
            "row 3, community_code: C001 already appears on row 2",
        ),
        (
            "D02,西城区,D01S01,东华街道,C009,幸福社区,4000,1,1,1,1",
            "row 3, street_code: street D01S01 belongs to district D01 on row 2",
        ),
        (
            "D01,东城,D01S01,东华街道,C009,幸福社区,4000,1,1,1,1",
            "row 3, district_name: district D01 is named 东城区 on row 2",
        ),
        (
            "D01,东城区,D01,东华街道,C009,幸福社区,4000,1,1,1,1",
            "row 3, street_code: D01 is already used for another level on row 2",
        ),
        (
            "D01,东城区,D01S01,东华街道,C009,幸福社区,0,1,1,1,1",
            "row 3, population: must be at least 1",
        ),
        (
            "D01,东城区,D01S01,东华街道,C009,幸福社区,4000,0,0,0,0",
            "row 3, age_14_29|male: every age × sex cell is 0",
        ),
        (
            "D01,东城区,D01S01,东华街道,C009,幸福社区,4000",
            "row 3: the row has 7 fields but the header has 11",
        ),
    ],
)
def test_each_bad_row_names_its_row_and_column(row: str, expected: str) -> None:
    assert problems(csv_bytes(GOOD_ROWS[0], row)) == [expected]


def test_counts_stay_within_what_the_database_holds() -> None:
    assert problems(csv_bytes("D01,东城区,D01S01,东华街道,C001,幸福社区,10000001,1,1,1,1")) == [
        "row 2, population: larger than 10000000"
    ]
    rows = [f"D01,东城区,D01S01,东华街道,C{i:03d},社区,10000000,1,1,1,1" for i in range(201)]
    assert problems(csv_bytes(*rows)) == [
        "row 202, population: the populations add up to more than 2000000000"
    ]


def test_every_problem_of_the_file_is_listed_at_once() -> None:
    found = problems(
        csv_bytes(
            GOOD_ROWS[0],
            "D01,东城区,D01S01,东华街道,C001,幸福社区,-1,x,1,1,1",
            "D01,,D01S01,东华街道,C010,长青社区,100,1,1,1,1",
        )
    )
    assert found == [
        "row 3, population: negative: -1",
        "row 3, age_14_29|male: not a whole number: x",
        "row 3, community_code: C001 already appears on row 2",
        "row 4, district_name: missing",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", ["row 1: the file is empty; it needs a header row"]),
        (HEADER.encode(), ["row 2: the file has no data rows"]),
        (
            csv_bytes(GOOD_ROWS[0], header=HEADER.replace("population,", "people,")),
            [
                "row 1, population: the header has no column population",
                "row 1, people: unknown column; census cells are named age_group|sex",
            ],
        ),
    ],
)
def test_header_problems_are_on_row_one(content: bytes, expected: list[str]) -> None:
    assert problems(content) == expected


def test_binary_content_is_refused_with_a_message() -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_frame(b"\x81\x30\xff\xfe\x00\x00")
    assert "UTF-8" in raised.value.message
