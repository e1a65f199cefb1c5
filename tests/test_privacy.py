"""Contact details: one pattern set for masking and the publish scan; the formats it must and must not match."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.privacy import has_contact, mask_labels, mask_name, mask_personal, mask_text, mask_value, scan_text

# (text, kind, masked): every common way a phone, ID number or e-mail is written, and what a page shows
MUST_MATCH = [
    ("13912345678", "mobile phone", "139****5678"),
    ("+86 138-1234-5678", "mobile phone", "+86 138-****-5678"),
    ("+8613912345678", "mobile phone", "+86139****5678"),
    ("8613912345678", "mobile phone", "86139****5678"),
    ("0086 139 1234 5678", "mobile phone", "0086 139 **** 5678"),
    ("(+86)139 1234 5678", "mobile phone", "(+86)139 **** 5678"),
    ("138 1234 5678", "mobile phone", "138 **** 5678"),
    ("138-1234-5678", "mobile phone", "138-****-5678"),
    ("138–1234–5678", "mobile phone", "138–****–5678"),  # en dashes, as word processors type them
    ("１３９１２３４５６７８", "mobile phone", "１３９****５６７８"),  # full-width digits
    ("１３９　１２３４　５６７８", "mobile phone", "１３９　****　５６７８"),  # and the ideographic space
    ("Tel13912345678", "mobile phone", "Tel139****5678"),
    ("13912345678.0", "mobile phone", "139****5678.0"),  # a phone column stored as a number
    ("(020)8765-4321", "landline phone", "(020)****-4321"),
    ("（０２０）８７６５－４３２１", "landline phone", "（０２０）****－４３２１"),
    ("020 8765 4321", "landline phone", "020 **** 4321"),
    ("020-87654321", "landline phone", "020-****4321"),
    ("0755-12345678", "landline phone", "0755-****5678"),
    ("0755 1234 5678", "landline phone", "0755 **** 5678"),
    ("+86 20 8765 4321", "landline phone", "+86 20 **** 4321"),
    ("11010519491231002X", "ID number", "110105***********X"),
    ("11010519491231002x", "ID number", "110105***********x"),
    ("440305200012310017", "ID number", "440305***********7"),
    ("110105491231002", "ID number", "110105********2"),  # the old 15-digit form
    ("１１０１０５１９４９１２３１００２Ｘ", "ID number", "１１０１０５***********Ｘ"),
    ("zhang.san@example.com", "e-mail", "z***@example.com"),
    ("Li_Si+crm@mail.example.com.cn", "e-mail", "L***@mail.example.com.cn"),
    ("13912345678@qq.com", "e-mail", "1***@qq.com"),  # the whole address, not a phone inside it
    ("wang＠example．com", "e-mail", "w***@example．com"),
]

# text from the analyses that must stay readable: none of it is a contact detail
MUST_NOT_MATCH = [
    "SO2610000012345",  # order number: digits glued to letters are a code
    "SO13912345678",  # even when the digits look like a mobile
    "INV-2026-000123",  # invoice number
    "044031900111",  # invoice code (12 digits from 0, no separator)
    "No. 04412345",  # invoice number
    "C000123",  # customer id
    "1,234,567.89",  # amount with thousands separators
    "13912345678.25",  # amount: non-zero decimals
    "0.13912345678",  # a ratio
    "2026-10-05", "20261005", "2026/10/05", "2026年10月5日",  # dates
    "10:30", "2026-10-05 14:30:00",  # times
    "87.5%", "13.9%",  # percentages
    "2026 2027", "2025年 2026年",  # years
    "139123456789",  # 12 digits: longer than a mobile
    "1391234567",  # 10 digits: shorter than a mobile
    "12345678901",  # 11 digits not starting 13-19
    "110105491331002",  # 15 digits without a valid month
    "0755",  # an area code alone
    "138 1234 567",  # groups too short
    "user@localhost",  # no domain
    "@example.com",  # no local part
]


@pytest.mark.parametrize("text,kind,masked", MUST_MATCH)
def test_every_common_contact_format_is_masked_and_found(text, kind, masked):
    assert mask_text(text) == masked
    found = scan_text(text)
    assert [f.kind for f in found] == [kind]
    # the finding is the match alone (without "Tel" or ".0" around it), masked, at its place in the text
    assert masked[found[0].position:].startswith(found[0].masked) and "*" in found[0].masked
    assert has_contact(text)


@pytest.mark.parametrize("text,kind,masked", MUST_MATCH)
def test_masking_never_reveals_the_whole_value(text, kind, masked):
    # no run of the original's digits as long as the value survives: at most 4 digits of a phone are
    # kept together, 6 of an ID number (the region), and the local part of an address goes
    digits = re.sub(r"\D", "", text.translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}))
    shown = re.sub(r"\D", "", mask_text(text).translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}))
    assert len(shown) < len(digits) or kind == "e-mail"
    if kind == "e-mail":
        assert text.split("@")[0].split("＠")[0][1:] not in mask_text(text)


@pytest.mark.parametrize("text", MUST_NOT_MATCH)
def test_figures_dates_and_codes_are_left_alone(text):
    assert mask_text(text) == text
    assert scan_text(text) == []
    assert not has_contact(text)


def test_contact_inside_a_sentence_is_masked_in_place_and_the_rest_kept():
    text = "客户电话13912345678不接，改打（0755）8765 4321；订单SO2610000012345金额1,234,567.89元，邮件 li@corp.cn。"
    assert mask_text(text) == ("客户电话139****5678不接，改打（0755）**** 4321；订单SO2610000012345金额1,234,567.89元，"
                               "邮件 l***@corp.cn。")
    found = scan_text(text)
    # positions in the original text: 客户电话 is 4 characters; 4 + 11 digits + 不接，改打 (5) puts （ at 20
    assert [(f.kind, f.position) for f in found] == [("mobile phone", 4), ("landline phone", 20),
                                                      ("e-mail", text.index("li@"))]


def test_masked_text_is_not_found_again():
    for text, _kind, _masked in MUST_MATCH:
        assert scan_text(mask_text(text)) == [], text


def test_two_phones_separated_by_a_comma_are_both_masked():
    assert mask_text("13912345678,13812345678") == "139****5678,138****5678"


def test_values_and_labels():
    assert mask_value(13912345678) == 13912345678  # numbers are the callers' business (formatting)
    assert mask_value("13912345678") == "139****5678"
    assert mask_value(None) is None
    assert mask_labels(["客户电话13912345678不接", None, 3, float("nan")]) == ["客户电话139****5678不接", "", "3", ""]


def test_mask_personal_masks_named_columns_and_scrubs_free_text():
    frame = pd.DataFrame({"name": ["张三丰", None], "comment": ["请打 138-1234-5678", "交期延误"], "amount": [1.5, 2.0]})
    out = mask_personal(frame, ["name"])
    assert out["name"].tolist() == ["张**", ""]
    assert out["comment"].tolist() == ["请打 138-****-5678", "交期延误"]
    assert out["amount"].tolist() == [1.5, 2.0]
    assert frame["comment"][0] == "请打 138-1234-5678"  # the input is not changed


def test_mask_name_keeps_a_company_recognisable():
    assert mask_name("张三") == "张*"
    assert mask_name("苏州恒达精密机械有限公司") == "苏州****"
