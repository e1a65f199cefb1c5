"""A project whose survey holds many forms, shaped like a public passenger-satisfaction survey.

That survey (129,880 forms) has one form per respondent and 14 items rated 0-5, where 0 means
"not applicable"; it has no form number or dates, so a company importing it numbers the forms and
dates them itself. This module writes such a project: ``forms`` respondents (customers, one small
order each, as the customer archive and sales statistics are required), one form each sent over the
survey period ending with ``end_month``, 14 item columns rated 0-5 with 0 as not applicable, an
overall rating, comments on some unhappy forms, and a few complaints. csv files, so the benchmark
times the page rather than the writing of Excel files.

    python benchmarks/survey_forms.py /tmp/forms 130000       # write the project there
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

#: the 14 items (canonical dimension, header in the file)
ITEMS = (("wifi", "机上WiFi"), ("schedule", "出发到达时间便利"), ("booking", "在线预订"), ("gate", "登机口位置"),
         ("food", "餐饮"), ("boarding", "在线值机"), ("seat", "座椅舒适度"), ("entertainment", "机上娱乐"),
         ("onboard", "机上服务"), ("legroom", "腿部空间"), ("baggage", "行李处理"), ("checkin", "值机服务"),
         ("inflight", "空乘服务"), ("cleanliness", "清洁度"))
DEPARTMENTS = {"wifi": "信息部", "schedule": "运控部", "booking": "信息部", "gate": "地服部", "food": "餐食部",
               "boarding": "信息部", "seat": "机务部", "entertainment": "信息部", "onboard": "客舱部",
               "legroom": "机务部", "baggage": "地服部", "checkin": "地服部", "inflight": "客舱部",
               "cleanliness": "客舱部"}
COMMENTS = ("座椅太窄，腿部空间不够", "WiFi 连不上", "餐食一般，选择太少", "行李等了很久", "值机排队时间长",
            "空乘态度很好", "航班延误，没有通知")


def write_project(work: Path, forms: int, end_month: str = "2026-10", seed: int = 7,
                  months: int | None = None) -> dict:
    """Write parameters/ and data/raw/ of a survey-heavy project to ``work``; return the row counts.

    ``months``: over how many months the forms are sent (default survey.period_months, 6: every form
    in the report's survey period).
    """
    rng = np.random.default_rng(seed)
    work = Path(work)
    raw = work / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    months = months or 6
    end = pd.Period(end_month, "M")
    first_day = (end - months + 1).start_time
    span = (end.end_time.normalize() - first_day).days + 1
    ids = np.char.add("P", np.char.zfill(np.arange(1, forms + 1).astype(str), 7))

    customers = pd.DataFrame({
        "客户编号": ids, "区域": rng.choice(["华东", "华南", "华北", "西部"], forms),
        "分公司": rng.choice(["上海分公司", "广州分公司", "北京分公司", "成都分公司", "杭州分公司"], forms),
        "客户等级": rng.choice(["A", "B", "C", "D"], forms, p=[0.1, 0.3, 0.4, 0.2]),
        "合作起始日期": "2020-01-01"})
    sent = first_day + pd.to_timedelta(rng.integers(0, span, forms), unit="D")
    orders = pd.DataFrame({"订单编号": np.char.add("SO", ids), "客户编号": ids,
                           "下单日期": (sent - pd.to_timedelta(rng.integers(1, 60, forms), unit="D")).strftime("%Y-%m-%d"),
                           "金额": np.round(rng.lognormal(7, 0.6, forms), 2)})
    delay = rng.integers(1, 25, forms)
    answered = pd.Series(sent + pd.to_timedelta(delay, unit="D"))
    answered = answered.where((rng.random(forms) < 0.93) & (answered <= end.end_time.normalize()))
    surveys = pd.DataFrame({"调查编号": np.char.add("F", ids), "客户编号": ids,
                            "发放日期": sent.strftime("%Y-%m-%d"), "回收日期": answered.dt.strftime("%Y-%m-%d")})
    mood = rng.normal(3.4, 0.9, forms)
    is_answered = answered.notna().to_numpy()
    low_any = np.zeros(forms, bool)
    for dim, header in ITEMS:
        score = np.clip(np.round(mood + rng.normal(0, 1.0, forms)), 1, 5).astype(int)
        score[rng.random(forms) < 0.03] = 0  # not applicable
        low_any |= (score > 0) & (score < 3)
        surveys[header] = np.where(is_answered, score, None)
    overall = np.clip(np.round(mood + rng.normal(0, 0.4, forms)), 1, 5).astype(int)
    surveys["总体评价"] = np.where(is_answered, overall, None)
    comment = np.where(is_answered & low_any & (rng.random(forms) < 0.3),
                       rng.choice(np.array(COMMENTS, dtype=object), forms), None)
    surveys["意见和建议"] = comment

    n_complaints = max(forms // 100, 10)
    who = rng.choice(ids, n_complaints)
    received = first_day + pd.to_timedelta(rng.integers(0, span * 24, n_complaints), unit="h")
    complaints = pd.DataFrame({"投诉编号": [f"TS{i:07d}" for i in range(1, n_complaints + 1)], "客户编号": who,
                               "投诉时间": received.strftime("%Y-%m-%d %H:%M"),
                               "投诉类别": rng.choice(["服务态度", "运输交付", "产品质量", "其他"], n_complaints),
                               "严重程度": rng.choice(["一般", "轻微", "重大"], n_complaints, p=[0.6, 0.35, 0.05]),
                               "答复时间": (received + pd.to_timedelta(rng.integers(1, 48, n_complaints), unit="h"))
                               .strftime("%Y-%m-%d %H:%M")})
    for name, frame in (("客户档案", customers), ("销售统计", orders), ("客户满意度调查表", surveys),
                        ("客户投诉登记表", complaints)):
        frame.to_csv(raw / f"{name}.csv", index=False, encoding="utf-8")

    root = Path(__file__).resolve().parents[1]
    params = yaml.safe_load((root / "parameters" / "defaults.yaml").read_text("utf-8"))
    params["month"] = end_month
    params["data"]["sources"] = {
        "customers": {"file": "客户档案.csv"}, "orders": {"file": "销售统计.csv"},
        "surveys": {"file": "客户满意度调查表.csv", "columns": {header: dim for dim, header in ITEMS}},
        "complaints": {"file": "客户投诉登记表.csv"}}
    params["survey"]["dimensions"] = [dim for dim, _ in ITEMS]
    params["survey"]["dimension_labels"] = {dim: header for dim, header in ITEMS}
    params["survey"]["departments"] = DEPARTMENTS
    params["survey"]["not_applicable"] = [0]  # a YAML number: the answer "0"
    (work / "parameters").mkdir(exist_ok=True)
    (work / "parameters" / "defaults.yaml").write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False),
                                                      "utf-8")
    return {"customers": forms, "orders": forms, "surveys": forms, "answered": int(is_answered.sum()),
            "complaints": n_complaints}


if __name__ == "__main__":
    print(write_project(Path(sys.argv[1]), int(sys.argv[2])))
