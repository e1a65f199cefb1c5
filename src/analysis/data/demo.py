"""Demo data: the company's raw files as it would export them, with planted effects the analyses must recover.

Planted (see ``data/processed/demo_truth/truth.json`` after generation):
- churn: two or more late payments in a quarter, a complaint in the last three months and
  low satisfaction (overall 3 or less) raise the monthly chance that a customer stops
  ordering; a latent risk also makes their orders fall before they stop;
- value: a latent value drives order frequency, amounts, reputation and share of wallet;
- satisfaction: the delivery dimension drives the overall rating most; late deliveries
  lower it; a handful of customers are planted as clearly dissatisfied (CAPA cases);
- leads: referral and phone-appointment channels and O/H intent levels convert better;
  one consultant over-grades intent (his O/H leads behave like B leads);
- complaints: one department (物流部) often names itself responsible later than one working day;
  some follow-ups are dated before their reply (a typing slip the consistency checks must find);
- returns: one product (密封组件) is returned far more often than the others;
- requirements: one staff member (冯超) submits the most requirements and has the lowest acceptance rate;
- sales: order amounts follow the seasons (a Spring Festival trough in February, a year-end peak); a new
  product (智能控制器) launched five months before the last month takes a growing share of the orders, up to
  about a fifth; the monthly targets (销售目标) per branch, per product line and for the company are set from
  the sales so that in the last month two branches (广州, 成都) and one product line (密封件) miss theirs,
  and 广州 also misses its year to date; one branch (武汉) keeps incomplete customer records (contacts blank);
  some customers of another (成都) leave invoices unpaid for more than 90 days.

The complaint process columns, returns, the requirement register, the new product's orders, the targets, the
archive's gaps and the bad debts come from their own random streams, so adding them left every other draw as it was (the
seasons scale the order amounts without a draw).

Generation runs in chunks of customers and leads, so memory stays bounded at
1,000,000 customers and 10,000,000 orders; large tables are written as csv (Excel
holds at most 1,048,576 rows a sheet).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .._files import file_sha256
from .demo_sizes import check_sizes

CHUNK = 100_000
EXCEL_ROW_LIMIT = 1_000_000

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国红梅飞宇浩然思雨佳欣")
CITY = {"华东": ["上海", "苏州", "杭州", "南京", "宁波", "无锡"], "华南": ["广州", "深圳", "东莞", "佛山"],
        "华北": ["北京", "天津", "石家庄", "济南"], "华中": ["武汉", "长沙", "郑州"], "西南": ["成都", "重庆", "昆明"]}
REGIONS = list(CITY)
REGION_P = [0.4, 0.2, 0.2, 0.1, 0.1]
BRANCH = {"华东": "上海分公司", "华南": "广州分公司", "华北": "北京分公司", "华中": "武汉分公司", "西南": "成都分公司"}
WORDS = list("恒达鑫盛华宏瑞丰泰祥联创新源科博远通宇航晨光金海鼎力永嘉")
INDUSTRIES = ["汽车零部件", "电子电器", "机械设备", "建材", "化工", "家电"]
SUFFIX = {"汽车零部件": "汽车部件", "电子电器": "电子科技", "机械设备": "精密机械", "建材": "建材",
          "化工": "化工", "家电": "电器"}
REPS = {r: [f"{s}{g}" for s, g in zip("赵钱孙李周吴郑王冯陈"[i * 2:i * 2 + 2], "明华刚丽杰娜斌静伟芳"[i * 2:i * 2 + 2])]
        for i, r in enumerate(REGIONS)}
PRODUCTS = [("精密轴承", 180.0, 0.28), ("液压阀组", 1250.0, 0.32), ("传动齿轮", 95.0, 0.22),
            ("密封组件", 36.0, 0.35), ("伺服电机", 2800.0, 0.25)]
MODEL_LABELS = ["直销", "经销", "代理"]
DIMENSIONS = [("quality", "品质"), ("delivery", "交期"), ("service", "服务"), ("price", "价格"),
              ("technology", "技术"), ("communication", "沟通")]
#: planted weights of each dimension in the overall rating: delivery drives it most
OVERALL_WEIGHTS = {"quality": 0.2, "delivery": 0.45, "service": 0.15, "price": 0.1, "technology": 0.05,
                   "communication": 0.05}
LABEL5 = {5: "很满意", 4: "满意", 3: "一般", 2: "不满意", 1: "很不满意"}
COMPLAINT_CATS = [("产品质量", 0.35, "质量部"), ("运输交付", 0.25, "物流部"), ("数量规格不符", 0.1, "仓储部"),
                  ("服务态度", 0.15, "客户服务部"), ("价格", 0.1, "销售部"), ("其他", 0.05, "市场部")]
COMPLAINT_TEXT = {"产品质量": ["来料检验发现尺寸超差", "批次产品有锈蚀", "装配时发现异响"],
                  "运输交付": ["交货延误三天，影响我方生产", "包装破损", "送货地址错误"],
                  "数量规格不符": ["实收数量少于订单", "型号发错"], "服务态度": ["售后响应慢", "电话无人接听"],
                  "价格": ["报价高于同行", "未执行约定折扣"], "其他": ["发票信息错误"]}
CHANNELS = [("A 报纸", 11), ("B 电台", 2), ("C 电视", 3), ("D 车展", 37), ("E 店头活动", 41),
            ("T 电话预约", 55), ("G 网络", 24), ("P 朋友介绍", 42)]
#: planted conversion effects (log-odds) per channel and intent level
CHANNEL_EFFECT = {"A 报纸": -0.4, "B 电台": -0.5, "C 电视": -0.5, "D 车展": 0.1, "E 店头活动": 0.0,
                  "T 电话预约": 0.8, "G 网络": -0.2, "P 朋友介绍": 1.0}
INTENT_SHARE = {"O": 0.144, "H": 0.079, "A": 0.148, "B": 0.389, "C": 0.24}
INTENT_EFFECT = {"O": 3.0, "H": 1.8, "A": 0.6, "B": -0.5, "C": -1.5}
INTENT_DAYS = {"O": (0, 0), "H": (1, 3), "A": (7, 15), "B": (16, 90), "C": (91, 200)}
CONSULTANTS = ["张伟", "王芳", "李强", "刘洋", "陈静", "杨磊", "赵敏", "黄涛"]
OVERGRADER = "张伟"  # planted: his O/H leads behave like B leads
MODELS = ["轩逸", "天籁", "奇骏", "逍客", "楼兰"]
LOST_REASONS = ["价格因素", "选择竞品", "暂缓购买", "贷款未批", "配置不符", "联系不上"]
#: planted: this department names itself responsible late (the one-working-day rule)
LATE_DEPARTMENT = "物流部"
#: planted: this product is returned far more often than the others
RETURNED_PRODUCT = "密封组件"
RETURN_P = {RETURNED_PRODUCT: 0.08}
RETURN_P_OTHER = 0.008
RETURN_REASONS = {RETURNED_PRODUCT: ["密封圈老化", "尺寸超差", "渗漏"],
                  "other": ["尺寸超差", "外观划伤", "型号发错", "包装破损", "客户订单取消"]}
#: requirement register: reporters (填报人), the planted one submits most and is accepted least
REQ_REPORTERS = ["周敏", "吴昊", "郑洁", "王磊", "冯超", "陈琳"]
REQ_PLANTED = "冯超"
REQ_OWNERS = ["刘工", "孙工", "何经理"]
REQ_WORDS = {"精密轴承": ["降噪", "寿命", "润滑", "公差", "包装", "防锈"],
             "液压阀组": ["泄漏", "压力", "响应", "接口", "安装", "说明书"],
             "传动齿轮": ["噪音", "硬度", "精度", "交期", "包装"],
             "密封组件": ["耐温", "老化", "尺寸", "渗漏", "材质", "标识"],
             "伺服电机": ["编码器", "调试", "过热", "通讯", "参数", "软件"]}
#: product lines of the product archive (产品档案), the launch of the old products, and the planted new product
PRODUCT_LINES = {"精密轴承": "传动件", "传动齿轮": "传动件", "液压阀组": "液压件", "密封组件": "密封件", "伺服电机": "电控产品"}
OLD_LAUNCH = {"精密轴承": "2009-03-01", "液压阀组": "2011-06-15", "传动齿轮": "2008-09-01", "密封组件": "2013-04-20",
              "伺服电机": "2017-08-08"}
NEW_PRODUCT = ("智能控制器", 3600.0, 0.42, "电控产品")  # name, unit price, margin rate, product line
#: planted: months from the end month back to the launch, the launch day, and the new product's share of the
#: orders in each month since its launch (then steady)
NEW_LAUNCH_MONTHS, NEW_LAUNCH_DAY = 5, 12
NEW_SHARE = (0.06, 0.10, 0.14, 0.17, 0.19, 0.20)
#: planted seasons: order amounts per calendar month (Spring Festival trough, year-end peak)
SEASON = {1: 0.9, 2: 0.72, 3: 0.98, 4: 1.0, 5: 1.04, 6: 1.08, 7: 0.95, 8: 0.94, 9: 1.04, 10: 1.0, 11: 1.1, 12: 1.2}
#: planted target attainment in the end month (the others meet theirs); 广州 misses every month of the end year
MISSED_BRANCHES = {"广州分公司": 0.84, "成都分公司": 0.92}
MISSED_YTD_BRANCH = "广州分公司"
MISSED_LINES = {"密封件": 0.86}
#: planted: some customers of this branch leave invoices unpaid for more than 90 days (bad debts)
BAD_DEBT_BRANCH = "成都分公司"
#: planted: this branch keeps incomplete customer records (contact person, phone, e-mail, address often blank)
INCOMPLETE_BRANCH = "武汉分公司"
SURVEY_COMMENTS_LOW = {"delivery": "交期经常延误，影响我方生产计划", "quality": "近期批次质量不稳定",
                       "service": "售后响应太慢", "price": "价格偏高，希望给予更多优惠",
                       "technology": "技术支持不够及时", "communication": "业务员沟通不及时"}


@dataclass
class DemoResult:
    """What was written, for the terminal and the notes."""

    files: dict[str, Path]
    rows: dict[str, int]
    truth_dir: Path


def generate_demo_data(out_dir: Path, customers: int = 600, months: int = 24, seed: int = 42,
                       leads: int | None = None, end_month: str | None = None, fmt: str = "auto",
                       truth_dir: Path | None = None, progress: Callable[[str], None] | None = None,
                       overwrite: bool = False) -> DemoResult:
    """Write the demo company's raw files to ``out_dir``; deterministic for a seed.

    Parameters
    ----------
    customers, months : size of the customer base and the history length.
    leads : lead register size (default: 5 per customer, at most 200,000).
    end_month : last month of history (YYYY-MM); default the last complete month.
    fmt : "xlsx", "csv", or "auto" (xlsx unless a table passes Excel's row limit).
    truth_dir : where the planted effects go; default ``<out_dir>/../processed/demo_truth`` (with the
        default folders, ``data/processed/demo_truth``): rebuilt data, never committed.

    Raises
    ------
    ConfigError
        a size below the least the analyses need (at least 10 customers, 3 months), a negative lead
        count, or an end month not written YYYY-MM; or, unless ``overwrite``, a file in ``out_dir`` that
        the demo would replace and that is not demo data as this generator wrote it (a company's own
        export, or a demo file changed since): nothing is written then.
    """
    say = progress or (lambda _m: None)
    check_sizes(customers, months, leads, end_month, fmt)
    leads = min(customers * 5, 200_000) if leads is None else leads
    if end_month is None:
        first = dt.date.today().replace(day=1) - dt.timedelta(days=1)
        end_month = f"{first.year:04d}-{first.month:02d}"
    end = pd.Period(end_month, "M")
    periods = pd.period_range(end - months + 1, end, freq="M")
    expected_orders = customers * months * 1.0
    use_csv = fmt == "csv" or (fmt == "auto" and expected_orders > EXCEL_ROW_LIMIT * 0.8)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the truth is rebuilt with the data, next to the processed tables: never a tracked file of the repository
    truth_dir = Path(truth_dir) if truth_dir else out_dir.parent / "processed" / "demo_truth"
    if not overwrite:
        _refuse_to_replace_exports(out_dir, truth_dir)
    shutil.rmtree(truth_dir, ignore_errors=True)
    truth_dir.mkdir(parents=True)

    writers = _Writers(out_dir, use_csv)
    truth: dict = {"seed": seed, "customers": customers, "months": months, "end_month": end_month,
                   "strongest_driver": "delivery", "overall_weights": OVERALL_WEIGHTS,
                   "channel_effects": CHANNEL_EFFECT, "intent_effects": INTENT_EFFECT,
                   "overgrading_consultant": OVERGRADER,
                   "high_value": [], "at_risk": [], "dissatisfied": []}
    truth["bad_debts"] = {"branch": BAD_DEBT_BRANCH, "amount": 0.0}
    truth.update({"late_department": LATE_DEPARTMENT, "high_return_product": RETURNED_PRODUCT,
                  "requirements_low_acceptance": REQ_PLANTED, "followup_before_reply": 0})
    churn_rows, sales_totals = [], []
    width = max(6, len(str(customers)))
    end_day = periods[-1].end_time.normalize()
    for start in range(0, customers, CHUNK):
        n = min(CHUNK, customers - start)
        rng = np.random.default_rng([seed, 1, start // CHUNK])
        tables, planted, churn_truth = _customer_chunk(rng, start, n, width, periods, customers)
        # the process columns, returns: their own streams, so the tables above stay as they were
        tables["complaints"] = _complaint_process(np.random.default_rng([seed, 3, start // CHUNK]),
                                                  tables["complaints"], end_day)
        launch = _launch_day(periods)
        tables["orders"] = _new_product_orders(np.random.default_rng([seed, 6, start // CHUNK]), tables["orders"],
                                               launch)
        tables["customers"] = _archive_gaps(np.random.default_rng([seed, 8, start // CHUNK]), tables["customers"])
        tables["payments"], unpaid = _bad_debts(np.random.default_rng([seed, 9, start // CHUNK]), tables["payments"],
                                                tables["customers"], end_day)
        truth["bad_debts"]["amount"] += unpaid
        sales_totals.append(_monthly_sales(tables["orders"], tables["customers"]))
        tables["returns"] = _returns(np.random.default_rng([seed, 4, start // CHUNK]), tables["orders"], end_day)
        complaints_chunk = tables["complaints"]
        if len(complaints_chunk):
            truth["followup_before_reply"] += int((complaints_chunk["跟踪时间"] < complaints_chunk["答复时间"]).sum())
        for name, frame in tables.items():
            writers.write(name, frame)
        for k in ("high_value", "at_risk", "dissatisfied"):
            truth[k] += planted[k]
        if customers * months <= 2_000_000:
            churn_rows.append(churn_truth)
        say(f"customers {start + n:,}/{customers:,}")
    lead_truth = []
    for start in range(0, leads, CHUNK * 2):
        n = min(CHUNK * 2, leads - start)
        rng = np.random.default_rng([seed, 2, start // (CHUNK * 2)])
        register, events, probs = _lead_chunk(rng, start, n, periods)
        writers.write("leads", register)
        writers.write("lead_events", events)
        lead_truth.append(probs)
        say(f"leads {start + n:,}/{leads:,}")
    writers.write("requirements", _requirements(np.random.default_rng([seed, 5]), periods, customers, width))
    monthly = pd.concat(sales_totals, ignore_index=True).groupby(["level", "segment", "month"], as_index=False).sum()
    targets, truth["targets"] = _targets(np.random.default_rng([seed, 7]), monthly, periods)
    writers.write("targets", targets)
    writers.write("products", _product_archive(_launch_day(periods)))
    truth["new_product"] = _new_product_truth(monthly, periods)
    truth["seasonality"] = SEASON
    truth["incomplete_records"] = _gaps_truth(sales_totals)
    files = writers.close()
    if churn_rows:
        pd.concat(churn_rows).to_parquet(truth_dir / "churn_truth.parquet", index=False)
    if lead_truth:
        pd.concat(lead_truth).to_parquet(truth_dir / "lead_truth.parquet", index=False)
    (truth_dir / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    written = {path.name: file_sha256(path) for path in files.values()}
    (truth_dir / WRITTEN).write_text(json.dumps(written, ensure_ascii=False, indent=1), "utf-8")
    return DemoResult(files, dict(writers.rows), truth_dir)


#: the demo files as written (name -> sha256), beside the truth: what a later demo-data may replace
WRITTEN = "written.json"


def _refuse_to_replace_exports(out_dir: Path, truth_dir: Path) -> None:
    """Raise ConfigError when a file the demo would write over (or remove) is not demo data as it was written:
    the company's own exports in data/raw must never be lost to a demo."""
    from ..errors import ConfigError

    try:
        written = json.loads((truth_dir / WRITTEN).read_text("utf-8"))
    except (OSError, ValueError):
        written = {}
    for stem, _ in FILES.values():
        for ext in (".xlsx", ".csv"):
            path = out_dir / f"{stem}{ext}"
            if path.is_file() and written.get(path.name) != file_sha256(path):
                raise ConfigError(
                    f"{path}: is not demo data as workbench demo-data wrote it (a company's export, or a demo file "
                    "changed since); writing demo data would replace it. Move the company's files out of "
                    f"{out_dir} first, or add --overwrite to replace them with demo data. Nothing was written.")


# ----------------------------------------------------------------------------- customers

def _customer_chunk(rng, start, n, width, periods, total):
    ids = np.array([f"C{i:0{width}d}" for i in range(start + 1, start + n + 1)], dtype=object)
    value = rng.normal(size=n)  # latent value
    risk = rng.normal(size=n)  # latent churn risk
    region = rng.choice(REGIONS, size=n, p=REGION_P)
    industry = rng.choice(INDUSTRIES, size=n)
    end_day = periods[-1].end_time.normalize()
    first_day = periods[0].start_time
    # tenure: most customers predate the history, some join during it
    since_days = rng.integers(-365 * 8, len(periods) * 30, size=n)
    since = (first_day + pd.to_timedelta(since_days, unit="D")).normalize()
    since = since.where(since <= end_day - pd.Timedelta(days=20), end_day - pd.Timedelta(days=20))
    # planted high value: the most valuable customers are long-standing, reliable payers
    high_value_idx = np.argsort(-value, kind="stable")[: max(1, n // 50)]
    risk[high_value_idx] = np.minimum(risk[high_value_idx], -1.5)
    since_days[high_value_idx] = -365 * 7
    since = (first_day + pd.to_timedelta(since_days, unit="D")).normalize()
    since = since.where(since <= end_day - pd.Timedelta(days=20), end_day - pd.Timedelta(days=20))
    model = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    terms = np.array([30, 60, 90])[model]
    order_rate = np.exp(0.35 * value - 0.06)  # about one order a month on average
    trend = -0.05 * np.clip(risk - 0.5, 0, None)  # at-risk customers order less and less
    late_prob = 1 / (1 + np.exp(-(-2.6 + 1.2 * risk)))
    complaint_rate = np.exp(-3.4 + 0.8 * risk)
    late_delivery_p = np.clip(0.06 + 0.05 * rng.normal(size=n), 0.01, 0.4)
    key = value > np.quantile(value, 0.8) if n >= 5 else value > 0
    # planted at-risk: valuable customers who, in the last four months, pay late, complain, order
    # less and rate us low, and are still customers at the end (the protect segment)
    top = np.setdiff1d(np.flatnonzero(value > np.quantile(value, 0.85)), high_value_idx)
    at_risk_idx = rng.choice(top, size=min(len(top), max(2, n // 70)), replace=False)
    at_risk_mask = np.zeros(n, bool)
    at_risk_mask[at_risk_idx] = True
    key |= at_risk_mask

    active = np.ones(n, bool)
    churned_at = np.full(n, -1)
    late_hist = np.zeros((len(periods), n))
    complaint_hist = np.zeros((len(periods), n))
    low_sat = np.zeros(n, bool)
    orders, payments, complaints, surveys, churn_truth = [], [], [], [], []
    dissatisfied = set(rng.choice(n, size=max(2, n // 120), replace=False).tolist())
    order_seq = 0
    survey_offset = rng.integers(0, 12, size=n)
    key[list(dissatisfied)] = True  # planted CAPA cases are surveyed every half year
    for t, period in enumerate(periods):
        month_start = period.start_time
        days = period.days_in_month
        started = since <= period.end_time
        live = active & np.asarray(started)
        late_recent = late_hist[max(0, t - 3):t].sum(axis=0)
        complaints_recent = complaint_hist[max(0, t - 3):t].sum(axis=0)
        # planted churn drivers: two or more late payments in the quarter, a recent complaint, low satisfaction
        logit = -4.3 + 0.4 * risk + 1.3 * (late_recent >= 2) + 0.8 * (complaints_recent >= 1) \
            + 1.1 * low_sat - 0.3 * value
        hazard = 1 / (1 + np.exp(-logit))
        rate = order_rate * np.exp(trend * t)
        late_phase = at_risk_mask & (t >= len(periods) - 4)
        rate = np.where(late_phase, rate * 0.45, rate)
        hazard = np.where(at_risk_mask, 0.0, hazard)
        churn_truth.append(pd.DataFrame({"customer_id": ids, "month": str(period), "active": live,
                                         "hazard": hazard, "order_rate": rate}))
        counts = np.where(live, rng.poisson(rate), 0)
        idx = np.repeat(np.arange(n), counts)
        m = len(idx)
        if m:
            day = rng.integers(0, days, size=m)
            odate = month_start + pd.to_timedelta(day, unit="D")
            odate = odate.where(odate >= since[idx], since[idx])
            prod = rng.integers(0, len(PRODUCTS), size=m)
            price = np.array([p[1] for p in PRODUCTS])[prod]
            amount = np.round(np.exp(rng.normal(np.log(18000) + 0.7 * value[idx], 0.45)) * SEASON[period.month], 2)
            qty = np.maximum(1, np.round(amount / price))
            margin = np.round(amount * np.array([p[2] for p in PRODUCTS])[prod] * rng.uniform(0.85, 1.15, m), 2)
            due = odate + pd.to_timedelta(rng.integers(20, 41, size=m), unit="D")
            late_del = rng.random(m) < late_delivery_p[idx]
            delivered = due + pd.to_timedelta(np.where(late_del, rng.integers(1, 15, m), -rng.integers(0, 5, m)), unit="D")
            delivered = pd.Series(delivered).where(delivered <= end_day, pd.NaT)
            oid = np.array([f"SO{period.year % 100:02d}{period.month:02d}{start // CHUNK:02d}{order_seq + i:07d}"
                            for i in range(m)], dtype=object)
            order_seq += m
            orders.append(pd.DataFrame({"订单编号": oid, "客户编号": ids[idx], "下单日期": odate,
                                        "产品名称": np.array([p[0] for p in PRODUCTS])[prod], "数量": qty,
                                        "金额": amount, "毛利": margin, "约定交期": due,
                                        "实际交货日期": delivered.to_numpy(),
                                        "质量合格": np.where(rng.random(m) < 0.985, "是", "否")}))
            pay_due = odate + pd.to_timedelta(terms[idx], unit="D")
            late = rng.random(m) < np.where(late_phase[idx], 0.8, late_prob[idx])
            delay = np.where(late, rng.integers(8, 75, m), -rng.integers(0, 6, m))
            paid = pd.Series(pay_due + pd.to_timedelta(delay, unit="D"))
            paid = paid.where(paid <= end_day, pd.NaT)
            payments.append(pd.DataFrame({"回款编号": np.char.add("AR", oid.astype(str)), "客户编号": ids[idx],
                                          "订单编号": oid, "应收日期": pay_due, "实收日期": paid.to_numpy(),
                                          "应收金额": amount}))
            # late payments are counted in the month they fall due
            due_month = np.asarray(pay_due.to_period("M").asi8 - periods[0].ordinal)
            for k in range(t, len(periods)):
                late_hist[k] += np.bincount(idx[late & (due_month == k)], minlength=n)
            # late deliveries lower satisfaction with delivery
            late_delivery_p[np.unique(idx[late_del])] = np.minimum(late_delivery_p[np.unique(idx[late_del])] + 0.01, 0.5)
        # complaints
        ccount = np.where(live, rng.poisson(np.where(late_phase, 0.6, complaint_rate)), 0)
        complaint_hist[t] = ccount
        cidx = np.repeat(np.arange(n), ccount)
        if len(cidx):
            complaints.append(_complaints(rng, ids, cidx, month_start, days, t, len(periods), end_day))
        # surveys: key customers every 6 months, others every 12, in their own month
        due_survey = live & ((((t + survey_offset) % np.where(key, 6, 12)) == 0)
                             | (at_risk_mask & (t == len(periods) - 3)))
        sidx = np.flatnonzero(due_survey)
        if len(sidx):
            unhappy = dissatisfied | set(np.flatnonzero(late_phase).tolist())
            frame, lows = _surveys(rng, ids, sidx, risk, late_delivery_p, month_start, days, end_day, unhappy, t)
            low_sat[sidx] = lows
            surveys.append(frame)
        # churn
        leave = live & (rng.random(n) < hazard)
        churned_at[leave] = t
        active &= ~leave

    high_value = [ids[i] for i in high_value_idx if churned_at[i] < 0]
    at_risk = [ids[i] for i in np.flatnonzero(at_risk_mask & (churned_at < 0))]
    customers = _customer_archive(rng, ids, region, industry, since, model, value, churned_at, periods)
    tables = {"customers": customers, "orders": _concat(orders), "payments": _concat(payments),
              "complaints": _concat(complaints), "surveys": _concat(surveys)}
    planted = {"high_value": high_value, "at_risk": at_risk,
               "dissatisfied": sorted(ids[i] for i in dissatisfied)}
    return tables, planted, pd.concat(churn_truth, ignore_index=True)


def _customer_archive(rng, ids, region, industry, since, model, value, churned_at, periods):
    n = len(ids)
    city = np.array([rng.choice(CITY[r]) for r in region])
    words = rng.choice(WORDS, size=(n, 2))
    name = [f"{c}{a}{b}{SUFFIX[i]}有限公司" for c, (a, b), i in zip(city, words, industry)]
    person = [f"{s}{g}" for s, g in zip(rng.choice(SURNAMES, n), rng.choice(GIVEN, n))]
    phone = [f"1{p}{d:09d}" for p, d in zip(rng.choice(list("3456789"), n), rng.integers(0, 10**9, n))]
    rep = np.array([rng.choice(REPS[r]) for r in region])
    reputation = np.clip(np.round(3.2 + 0.8 * value + rng.normal(0, 0.6, n)), 1, 5)
    grade_score = value + rng.normal(0, 0.5, n)
    share = np.clip(np.round(35 + 15 * value + rng.normal(0, 10, n)), 5, 95)
    frame = pd.DataFrame({
        "客户编号": ids, "客户名称": name, "联系人": person, "联系电话": phone,
        "电子邮箱": [f"kh{int(i[1:]):06d}@example.cn" for i in ids],
        "地址": [f"{c}市工业园区{k}号" for c, k in zip(city, rng.integers(1, 999, n))],
        "区域": region, "分公司": [BRANCH[r] for r in region], "所属行业": industry, "业务员": rep,
        "合作起始日期": np.asarray(since), "销售模式": np.array(MODEL_LABELS)[model],
        "行业口碑": reputation, "采购占比": share.astype(object),
        # the grade the sales department gave last year: mostly value, partly out of date
        "客户等级": np.select([grade_score > np.quantile(grade_score, q) for q in (0.8, 0.5, 0.1)], ["A", "B", "C"], "D"),
    })
    # realistic imperfections: blanks in optional cells, a few numbers typed as text
    frame.loc[rng.random(n) < 0.03, "所属行业"] = None
    frame.loc[rng.random(n) < 0.05, "行业口碑"] = None
    as_text = rng.random(n) < 0.02
    frame.loc[as_text, "采购占比"] = [f"{v:g}%" for v in share[as_text]]
    return frame


def _complaints(rng, ids, cidx, month_start, days, t, months, end_day):
    m = len(cidx)
    cats = rng.choice(len(COMPLAINT_CATS), size=m, p=[c[1] for c in COMPLAINT_CATS])
    received = month_start + pd.to_timedelta(rng.integers(0, days, m), unit="D") \
        + pd.to_timedelta(rng.integers(8 * 60, 18 * 60, m), unit="min")
    reply_h = np.where(rng.random(m) < 0.88, rng.uniform(0.5, 23, m), rng.uniform(25, 72, m))
    follow_h = np.where(rng.random(m) < 0.8, rng.uniform(24, 71, m), rng.uniform(73, 200, m))
    replied = pd.Series(received + pd.to_timedelta(reply_h, unit="h")).dt.floor("min")
    followed = pd.Series(received + pd.to_timedelta(follow_h, unit="h")).dt.floor("min")
    recent = t >= months - 1
    resolved = np.where(rng.random(m) < (0.6 if recent else 0.95), "是", "否")
    cat_names = np.array([c[0] for c in COMPLAINT_CATS])[cats]
    return pd.DataFrame({
        "投诉编号": [f"TS{month_start.year % 100:02d}{month_start.month:02d}{ids[i][1:]}{k}" for k, i in enumerate(cidx)],
        "客户编号": ids[cidx], "投诉时间": received, "投诉类别": cat_names,
        "严重程度": rng.choice(["重大", "一般", "轻微"], size=m, p=[0.1, 0.6, 0.3]),
        "责任部门": np.array([c[2] for c in COMPLAINT_CATS])[cats],
        "答复时间": replied.where(replied <= end_day + pd.Timedelta(days=1), pd.NaT).to_numpy(),
        "跟踪时间": followed.where(followed <= end_day + pd.Timedelta(days=1), pd.NaT).to_numpy(),
        "是否解决": resolved,
        "投诉内容": [rng.choice(COMPLAINT_TEXT[c]) for c in cat_names],
    })


def _complaint_process(rng, frame, end_day):
    """The complaint process dates (责任部门确定时间, 回访记录日期) in working days of the official calendar:
    most departments are named within one working day, the planted one often takes two to four; the visit
    record is mostly filed within five working days of the follow-up visit."""
    if frame is None or not len(frame):
        return frame
    from ..workdays import WorkCalendar

    calendar = WorkCalendar()
    m = len(frame)
    received = pd.Series(pd.to_datetime(frame["投诉时间"]).to_numpy())
    late = np.where(frame["责任部门"].to_numpy() == LATE_DEPARTMENT, rng.random(m) < 0.45, rng.random(m) < 0.04)
    same_day = ~late & (rng.random(m) < 0.5)
    days = np.where(late, rng.integers(2, 5, m), 1)
    named = pd.Series(pd.NaT, index=received.index, dtype="datetime64[ns]")
    for k in np.unique(days):  # the k-th working day after the receipt, at a time of day
        mask = days == k
        named[mask] = calendar.add_workdays(received[mask], int(k))
    named = named + pd.to_timedelta(rng.integers(9 * 60, 17 * 60, m), unit="min")
    named = named.where(~same_day, received + pd.to_timedelta(rng.integers(30, 240, m), unit="min"))
    named = named.where(named <= end_day + pd.Timedelta(days=1), pd.NaT)
    followed = pd.Series(pd.to_datetime(frame["跟踪时间"]).to_numpy())
    record_days = np.where(rng.random(m) < 0.9, rng.integers(1, 6, m), rng.integers(6, 11, m))
    recorded = pd.Series(pd.NaT, index=received.index, dtype="datetime64[ns]")
    for k in np.unique(record_days):
        mask = record_days == k
        recorded[mask] = calendar.add_workdays(followed[mask], int(k))
    recorded = recorded.where(recorded <= end_day, pd.NaT)
    out = frame.copy()
    out["责任部门确定时间"] = named.dt.floor("min").to_numpy()
    out["回访记录日期"] = recorded.to_numpy()
    return out


def _returns(rng, orders, end_day):
    """Returns of delivered orders: a small share of every product, many more of the planted one; quality's
    verdict (成立 / 不成立), blank while the inspection of a recent return is pending."""
    if orders is None or not len(orders):
        return pd.DataFrame()
    m = len(orders)
    product = orders["产品名称"].to_numpy()
    p = np.array([RETURN_P.get(x, RETURN_P_OTHER) for x in product])
    chosen = np.flatnonzero(rng.random(m) < p)
    if not len(chosen):
        return pd.DataFrame()
    picked = orders.iloc[chosen]
    k = len(chosen)
    date = pd.Series(pd.to_datetime(picked["下单日期"]).to_numpy()) + pd.to_timedelta(rng.integers(5, 41, k), unit="D")
    share = rng.uniform(0.1, 1.0, k)
    planted = picked["产品名称"].to_numpy() == RETURNED_PRODUCT
    reasons = [rng.choice(RETURN_REASONS[RETURNED_PRODUCT] if hit else RETURN_REASONS["other"]) for hit in planted]
    verdict = np.where(rng.random(k) < np.where(planted, 0.85, 0.65), "成立", "不成立")
    verdict = np.where((end_day - date).dt.days.to_numpy() < 7, None, verdict)  # still being inspected
    frame = pd.DataFrame({
        "退货编号": [f"TH{o[2:]}" for o in picked["订单编号"]], "订单编号": picked["订单编号"].to_numpy(),
        "客户编号": picked["客户编号"].to_numpy(), "退货日期": date.to_numpy(),
        "退货数量": np.maximum(1, np.round(picked["数量"].to_numpy() * share)),
        "退货金额": np.round(picked["金额"].to_numpy() * share, 2), "退货原因": reasons, "是否成立": verdict})
    return frame[date.to_numpy() <= end_day].reset_index(drop=True)


def _requirements(rng, periods, customers, width):
    """The requirement register (需求登记反馈表): about 30 requirements a month from six reporters; the
    decision group meets within a week; accepted ones get a promised date by urgency, a few an approved
    delay; most are delivered on time, some late in each of the penalty steps. The planted reporter
    submits three times as many as the others and is accepted least."""
    first_day, end_day = periods[0].start_time, periods[-1].end_time.normalize()
    span = (end_day - first_day).days + 1
    n = 30 * len(periods)
    weights = np.array([3.0 if r == REQ_PLANTED else 1.0 for r in REQ_REPORTERS])
    reporter = rng.choice(REQ_REPORTERS, size=n, p=weights / weights.sum())
    submitted = (first_day + pd.to_timedelta(np.sort(rng.integers(0, span, n)), unit="D"))
    products = np.array([p[0] for p in PRODUCTS])
    product = rng.choice(products, size=n)
    priority = rng.choice(list("ABCD"), size=n, p=[0.1, 0.3, 0.4, 0.2])
    decided = submitted + pd.to_timedelta(rng.integers(1, 8, n), unit="D")
    accept_p = np.where(reporter == REQ_PLANTED, 0.2, 0.7)
    draw = rng.random(n)
    decision = np.where(draw < accept_p * 0.85, "做", np.where(draw < accept_p, "需求转换",
                        np.where(draw < accept_p + (1 - accept_p) * 0.75, "不做", "再议")))
    undecided = decided > end_day
    decision = np.where(undecided, None, decision)
    accepted = np.isin(decision, ["做", "需求转换"])
    lead = {"A": (3, 10), "B": (10, 30), "C": (20, 60), "D": (40, 120)}
    lo = np.array([lead[p][0] for p in priority])
    hi = np.array([lead[p][1] for p in priority])
    promised = decided + pd.to_timedelta(lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(int), unit="D")
    delay = rng.random(n) < 0.1
    revised = promised + pd.to_timedelta(rng.integers(5, 21, n), unit="D")
    due = np.where(delay, revised, promised)
    lateness = np.select([rng.random(n) < 0.7, rng.random(n) < 0.5, rng.random(n) < 0.67],
                         [-rng.integers(0, 6, n), np.ones(n, int), rng.integers(2, 8, n)], rng.integers(8, 21, n))
    delivered = pd.Series(due + pd.to_timedelta(lateness, unit="D"))
    # a few recent ones stall: accepted, due in the last two months, not delivered by the end
    stalled = accepted & (due > end_day - pd.Timedelta(days=60)) & (rng.random(n) < 0.3)
    delivered = delivered.where(accepted & ~stalled & (delivered <= end_day), pd.NaT)
    status = np.where(delivered.notna(), "完成", np.where(accepted & delay, "延期", None))
    seq = pd.Series(submitted.strftime("%y%m%d")).groupby(submitted.strftime("%y%m%d")).cumcount() + 1
    ids = [f"XQ{d}{s:02d}" for d, s in zip(submitted.strftime("%y%m%d"), seq)]
    words = [" ".join(rng.choice(REQ_WORDS[p], size=rng.integers(2, 4), replace=False)) for p in product]
    customer = np.array([f"C{i:0{width}d}" for i in rng.integers(1, customers + 1, n)], dtype=object)
    customer[rng.random(n) < 0.15] = None
    frame = pd.DataFrame({
        "需求编号": ids, "填报人": reporter,
        "需求人": [f"{s}{g}" for s, g in zip(rng.choice(SURNAMES, n), rng.choice(GIVEN, n))],
        "客户编号": customer, "产品": product, "提交日期": submitted, "需求分级": priority + "级",
        "决策结果": decision, "决策日期": pd.Series(decided).where(~undecided, pd.NaT).to_numpy(),
        "预期交付日": pd.Series(promised).where(accepted, pd.NaT).to_numpy(),
        "新交付日": pd.Series(revised).where(accepted & delay, pd.NaT).to_numpy(),
        "实际交付日": delivered.to_numpy(), "需求状态": status,
        "负责人": np.where(accepted, rng.choice(REQ_OWNERS, size=n), None), "需求梗概": words,
        "备注": np.where(accepted & delay, "经决策组批准延期", None)})
    return frame


def _launch_day(periods) -> pd.Timestamp:
    """The planted new product's launch: NEW_LAUNCH_MONTHS before the last month, on NEW_LAUNCH_DAY."""
    return (periods[-1] - NEW_LAUNCH_MONTHS).start_time + pd.Timedelta(days=NEW_LAUNCH_DAY - 1)


def _new_product_orders(rng, orders, launch):
    """From its launch on, the new product takes over a growing share of the orders (NEW_SHARE by month since
    the launch): the order keeps its customer, date and amount; product, quantity and margin are the new one's."""
    if orders is None or not len(orders):
        return orders
    out = orders.copy()
    m = len(out)
    dates = pd.to_datetime(out["下单日期"])
    since = (dates.dt.year - launch.year) * 12 + dates.dt.month - launch.month
    share = np.where(dates >= launch, np.array(NEW_SHARE)[np.clip(since.to_numpy(), 0, len(NEW_SHARE) - 1)], 0.0)
    draw, spread = rng.random(m), rng.uniform(0.85, 1.15, m)
    chosen = draw < share
    name, price, rate, _ = NEW_PRODUCT
    amount = out["金额"].to_numpy()
    out.loc[chosen, "产品名称"] = name
    out.loc[chosen, "数量"] = np.maximum(1, np.round(amount[chosen] / price))
    out.loc[chosen, "毛利"] = np.round(amount[chosen] * rate * spread[chosen], 2)
    return out


def _archive_gaps(rng, customers):
    """The planted branch leaves many contact cells blank; the others a few (the procedure asks for complete
    records: 客户信息统计表)."""
    out = customers.copy()
    n = len(out)
    planted = (out["分公司"] == INCOMPLETE_BRANCH).to_numpy()
    for column, p_planted, p_other in (("联系人", 0.25, 0.01), ("联系电话", 0.4, 0.02), ("电子邮箱", 0.5, 0.05),
                                       ("地址", 0.3, 0.01)):
        blank = rng.random(n) < np.where(planted, p_planted, p_other)
        out.loc[blank, column] = None
    return out


def _bad_debts(rng, payments, customers, end_day):
    """A sixth of the planted branch's customers (at least one) stop paying the invoices that fell due 91 to
    150 days before the end: more than 90 days overdue at the end. Returns the payments and the amount."""
    if payments is None or not len(payments):
        return payments, 0.0
    ids = customers.loc[customers["分公司"] == BAD_DEBT_BRANCH, "客户编号"].to_numpy()
    if not len(ids):
        return payments, 0.0
    chosen = rng.choice(ids, size=max(1, len(ids) // 6), replace=False)
    due = pd.to_datetime(payments["应收日期"])
    days = (end_day - due).dt.days
    unpaid = payments["客户编号"].isin(chosen) & (days >= 91) & (days <= 150)
    out = payments.copy()
    out.loc[unpaid, "实收日期"] = pd.NaT
    return out, float(out.loc[unpaid, "应收金额"].sum())


def _monthly_sales(orders, customers):
    """Sales per month of one chunk: per branch, per product line, of the new product and in all, and how many
    customers of each branch have a phone, for the targets and the truth."""
    if orders is None or not len(orders):
        frame = pd.DataFrame(columns=["level", "segment", "month", "sales"])
    else:
        branch = orders["客户编号"].map(customers.set_index("客户编号")["分公司"])
        line = orders["产品名称"].map({**PRODUCT_LINES, NEW_PRODUCT[0]: NEW_PRODUCT[3]})
        month = pd.to_datetime(orders["下单日期"]).dt.strftime("%Y-%m")
        parts = []
        for level, segment in (("branch", branch), ("product_line", line),
                               ("new_product", orders["产品名称"].where(orders["产品名称"] == NEW_PRODUCT[0])),
                               ("total", pd.Series("all", index=orders.index))):
            keep = segment.notna()
            grouped = orders.loc[keep, "金额"].groupby([segment[keep], month[keep]]).sum()
            parts.append(pd.DataFrame({"level": level, "segment": grouped.index.get_level_values(0),
                                       "month": grouped.index.get_level_values(1), "sales": grouped.to_numpy()}))
        frame = pd.concat(parts, ignore_index=True)
    phones = customers.groupby("分公司")["联系电话"].agg(["count", "size"]).reset_index()
    phones = pd.DataFrame({"level": "phone_filled", "segment": phones["分公司"], "month": "filled",
                           "sales": phones["count"].astype(float)})
    sizes = pd.DataFrame({"level": "phone_filled", "segment": customers.groupby("分公司").size().index,
                          "month": "customers", "sales": customers.groupby("分公司").size().to_numpy().astype(float)})
    return pd.concat([frame, phones, sizes], ignore_index=True)


def _targets(rng, monthly, periods):
    """Monthly targets per branch, per product line and for the company (the sum of the branches'), set from
    the sales so that each segment's attainment is planted: mostly met (about 103 %), the MISSED_* segments
    missed in the last month, and MISSED_YTD_BRANCH in every month of the last year. Returns the file's rows
    and the truth: what was planted and which segments the data then show as missed."""
    months = [str(p) for p in periods]
    end, year = months[-1], months[-1][:4]
    rows, attained = [], []
    for level, planted in (("branch", MISSED_BRANCHES), ("product_line", MISSED_LINES)):
        sales = monthly[monthly["level"] == level].pivot(index="segment", columns="month", values="sales")
        sales = sales.reindex(columns=months).fillna(0.0)
        for segment in sales.index:
            for month in months:
                rate = float(np.clip(rng.normal(1.03, 0.06), 0.9, 1.2))
                if month == end:
                    rate = planted.get(segment, max(rate, 1.03))
                elif month[:4] == year and segment == MISSED_YTD_BRANCH:
                    rate = min(rate, 0.95)
                elif month[:4] == year and segment in planted:
                    rate = max(rate, 1.08)  # the other planted ones make up for the last month over the year
                target = max(round(sales.loc[segment, month] / rate, -3), 1000.0)
                rows.append({"月份": month, "level": level, "segment": segment, "目标金额": target})
                attained.append((level, segment, month, sales.loc[segment, month], target))
    frame = pd.DataFrame(rows)
    company = frame[frame["level"] == "branch"].groupby("月份", as_index=False)["目标金额"].sum()
    out = pd.concat([company.assign(分公司=None, 产品线=None),
                     frame.assign(分公司=frame["segment"].where(frame["level"] == "branch"),
                                  产品线=frame["segment"].where(frame["level"] == "product_line"))],
                    ignore_index=True)[["月份", "分公司", "产品线", "目标金额"]]
    check = pd.DataFrame(attained, columns=["level", "segment", "month", "sales", "target"])
    ytd = check[check["month"].str[:4] == year].groupby(["level", "segment"])[["sales", "target"]].sum()
    last = check[check["month"] == end].set_index(["level", "segment"])
    truth = {"month": end,
             "planted_missed_month": {"branch": MISSED_BRANCHES, "product_line": MISSED_LINES},
             "planted_missed_ytd": [MISSED_YTD_BRANCH],
             "missed_month": sorted(s for (_, s), r in last.iterrows() if r["sales"] < r["target"]),
             "met_month": sorted(s for (_, s), r in last.iterrows() if r["sales"] >= r["target"]),
             "missed_ytd": sorted(s for (_, s), r in ytd.iterrows() if r["sales"] < r["target"]),
             "company_target": float(company.set_index("月份").loc[end, "目标金额"]) if end in set(company["月份"]) else None}
    return out, truth


def _product_archive(launch):
    """The product archive (产品档案): product line, launch date and the 新产品 flag of each product."""
    rows = [{"产品名称": name, "产品线": PRODUCT_LINES[name], "上市日期": pd.Timestamp(OLD_LAUNCH[name]), "新产品": "否"}
            for name, *_ in PRODUCTS]
    rows.append({"产品名称": NEW_PRODUCT[0], "产品线": NEW_PRODUCT[3], "上市日期": launch, "新产品": "是"})
    return pd.DataFrame(rows)


def _new_product_truth(monthly, periods):
    """The new product, its launch and its share of the sales per month since the launch: planted and found."""
    launch = _launch_day(periods)
    totals = monthly[monthly["level"] == "total"].set_index("month")["sales"]
    new = monthly[monthly["level"] == "new_product"].set_index("month")["sales"]
    months = [str(p) for p in periods if p >= launch.to_period("M")]
    return {"product": NEW_PRODUCT[0], "product_line": NEW_PRODUCT[3], "launch_date": str(launch.date()),
            "planted_share": {m: NEW_SHARE[min(i, len(NEW_SHARE) - 1)] for i, m in enumerate(months)},
            "share": {m: float(new.get(m, 0.0) / totals[m]) if totals.get(m, 0) else None for m in months}}


def _gaps_truth(sales_totals):
    """Share of customers with a phone per branch, and the branch planted with incomplete records."""
    phones = pd.concat(sales_totals, ignore_index=True)
    phones = phones[phones["level"] == "phone_filled"].groupby(["segment", "month"])["sales"].sum().unstack()
    return {"branch": INCOMPLETE_BRANCH, "field": "phone",
            "phone_filled": {b: float(r["filled"] / r["customers"]) for b, r in phones.iterrows()}}


def _surveys(rng, ids, sidx, risk, late_delivery_p, month_start, days, end_day, dissatisfied, t):
    m = len(sidx)
    sent = month_start + pd.to_timedelta(rng.integers(0, days, m), unit="D")
    planted = np.array([i in dissatisfied for i in sidx])
    answers = (rng.random(m) < 1 / (1 + np.exp(-(2.6 - 0.5 * risk[sidx])))) | planted
    delay = np.where(rng.random(m) < 0.8, rng.integers(2, 15, m), rng.integers(15, 30, m))
    answered = pd.Series(sent + pd.to_timedelta(delay, unit="D"))
    answered = answered.where(answers & (answered <= end_day), pd.NaT)
    base = 4.1 - 0.35 * risk[sidx]
    scores = {}
    for dim, _ in DIMENSIONS:
        s = base + rng.normal(0, 0.55, m)
        if dim == "delivery":
            s = s - 6.0 * (late_delivery_p[sidx] - 0.06)
        scores[dim] = s
    for dim in ("delivery", "quality"):
        scores[dim] = np.where(planted, rng.uniform(0.8, 2.2, m), scores[dim])
    overall = sum(OVERALL_WEIGHTS[d] * (scores[d] - base) for d, _ in DIMENSIONS) * 1.6 + base + rng.normal(0, 0.25, m)
    points = {d: np.clip(np.round(s), 1, 5).astype(int) for d, s in scores.items()}
    points["overall"] = np.clip(np.round(overall), 1, 5).astype(int)
    frame = pd.DataFrame({"调查编号": [f"DC{month_start.year % 100:02d}{month_start.month:02d}{ids[i][1:]}" for i in sidx],
                          "客户编号": ids[sidx], "发放日期": sent, "回收日期": answered.to_numpy()})
    is_answered = answered.notna().to_numpy()
    for dim, header in DIMENSIONS:
        labels = np.array([LABEL5[p] for p in points[dim]], dtype=object)
        if dim == "technology":
            labels[rng.random(m) < 0.06] = "不适用"
        frame[header] = np.where(is_answered, labels, None)
    frame["总体评价"] = np.where(is_answered, [LABEL5[p] for p in points["overall"]], None)
    comments = []
    for k in range(m):
        if not is_answered[k]:
            comments.append(None)
            continue
        low = [d for d, _ in DIMENSIONS if points[d][k] <= 2]
        comments.append(SURVEY_COMMENTS_LOW[low[0]] if low else ("合作愉快" if rng.random() < 0.1 else None))
    frame["意见和建议"] = comments
    frame["填表人"] = [f"{a}{b}" if ok else None for a, b, ok in
                    zip(rng.choice(SURNAMES, m), rng.choice(GIVEN, m), is_answered)]
    lows = is_answered & (points["overall"] <= 3)
    return frame, lows


# ----------------------------------------------------------------------------- leads

def _lead_chunk(rng, start, n, periods):
    first_day, end_day = periods[0].start_time, periods[-1].end_time.normalize()
    span = (end_day - first_day).days + 1
    created = (first_day + pd.to_timedelta(rng.integers(0, span, n), unit="D"))
    weights = np.array([c[1] for c in CHANNELS], float)
    channel = rng.choice([c[0] for c in CHANNELS], size=n, p=weights / weights.sum())
    levels = list(INTENT_SHARE)
    stated = rng.choice(levels, size=n, p=np.array(list(INTENT_SHARE.values())) / sum(INTENT_SHARE.values()))
    consultant = rng.choice(CONSULTANTS, size=n)
    true_level = np.where((consultant == OVERGRADER) & np.isin(stated, ["O", "H"]), "B", stated)
    repeat = rng.random(n) < 0.4
    test_drive = rng.random(n) < np.where(np.isin(true_level, ["O", "H", "A"]), 0.6, 0.3)
    budget = np.round(rng.lognormal(np.log(150000), 0.35, n), -3)
    logit = (-1.5 + np.vectorize(CHANNEL_EFFECT.get)(channel) + np.vectorize(INTENT_EFFECT.get)(true_level)
             + 0.5 * repeat + 0.6 * test_drive)
    p = 1 / (1 + np.exp(-logit))
    won = rng.random(n) < p
    lo = np.vectorize(lambda l: INTENT_DAYS[l][0])(true_level)
    hi = np.vectorize(lambda l: INTENT_DAYS[l][1])(true_level)
    days_to_deal = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(int)
    deal = created + pd.to_timedelta(days_to_deal, unit="D")
    age = (end_day - created).days
    status = np.where(won & (deal <= end_day), "成交",
                      np.where(~won & (age > 90), np.where(rng.random(n) < 0.06, "无效", "战败"), "跟进中"))
    ids = np.array([f"L{start + i + 1:07d}" for i in range(n)], dtype=object)
    stage = np.where(status == "成交", "成交", np.where(rng.random(n) < 0.5, "意向", "联系"))
    last_contact = created + pd.to_timedelta(np.minimum(age, rng.integers(0, 20, n)), unit="D")
    next_fu = pd.Series(last_contact + pd.to_timedelta(rng.integers(3, 15, n), unit="D")).where(status == "跟进中", pd.NaT)
    budget_cells = budget.astype(object)
    text_budget = rng.random(n) < 0.03
    budget_cells[text_budget] = [f"{b:,.0f}" for b in budget[text_budget]]
    register = pd.DataFrame({
        "登记编号": ids, "来店(电)日期": created,
        "客户姓名": [f"{s}{g}" for s, g in zip(rng.choice(SURNAMES, n), rng.choice(GIVEN, n))],
        "联系电话": [f"1{a}{b:09d}" for a, b in zip(rng.choice(list("3589"), n), rng.integers(0, 10**9, n))],
        "意向车型": rng.choice(MODELS, n), "信息来源": channel, "销售顾问": consultant,
        "首次/再次": np.where(repeat, "再次", "首次"), "试乘试驾": np.where(test_drive, "是", "否"),
        "意向级别": stated, "预算": budget_cells, "下次跟进日期": next_fu.to_numpy(), "开发阶段": stage,
        "状态": status,
        "成交日期": pd.Series(deal).where(status == "成交", pd.NaT).to_numpy(),
        "战败原因": np.where(status == "战败", rng.choice(LOST_REASONS, n), None),
    })
    # follow-up log: 1-5 contacts between the visit and the outcome
    k = rng.integers(1, 6, n)
    owner = np.repeat(np.arange(n), k)
    horizon = np.where(status == "成交", days_to_deal, np.minimum(age, 90))
    offs = np.floor(rng.random(len(owner)) * (horizon[owner] + 1)).astype(int)
    seq = np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k) + 1  # 1, 2, ... within each lead
    events = pd.DataFrame({
        "记录编号": [f"{ids[o]}-{q}" for o, q in zip(owner, seq)], "登记编号": ids[owner],
        "跟进日期": created[owner] + pd.to_timedelta(offs, unit="D"),
        "跟进方式": rng.choice(["电话", "到店", "微信", "试驾", "报价"], size=len(owner), p=[0.45, 0.2, 0.2, 0.05, 0.1]),
        "销售顾问": consultant[owner], "跟进内容": rng.choice(["介绍车型", "邀约到店", "报价", "了解需求"], len(owner)),
    }).sort_values(["跟进日期", "记录编号"], kind="stable")
    truth = pd.DataFrame({"lead_id": ids, "p_convert": p, "true_level": true_level})
    return register, events, truth


def _concat(frames):
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# ----------------------------------------------------------------------------- writing

FILES = {"customers": ("客户档案", "客户档案"), "orders": ("销售统计", "销售明细"), "payments": ("回款记录", "回款明细"),
         "surveys": ("客户满意度调查表", "调查表"), "complaints": ("客户投诉登记表", "投诉登记"),
         "leads": ("来店客户信息登记表", "A卡登记"), "lead_events": ("客户跟进记录", "跟进记录"),
         "requirements": ("需求登记反馈表", "需求登记"), "returns": ("客户退货记录", "退货明细"),
         "targets": ("销售目标", "销售目标"), "products": ("产品档案", "产品档案")}
DATE_FMT = {"投诉时间": "yyyy-mm-dd hh:mm", "答复时间": "yyyy-mm-dd hh:mm", "跟踪时间": "yyyy-mm-dd hh:mm",
            "责任部门确定时间": "yyyy-mm-dd hh:mm"}


class _Writers:
    """Streams each table to a write-only workbook (or csv for large sizes) as chunks arrive."""

    def __init__(self, out_dir: Path, use_csv: bool):
        self.out_dir, self.use_csv = out_dir, use_csv
        self.books: dict = {}
        self.rows: dict[str, int] = {}
        self.paths: dict[str, Path] = {}
        for stem, _ in FILES.values():
            for ext in (".xlsx", ".csv"):
                (out_dir / f"{stem}{ext}").unlink(missing_ok=True)

    def write(self, name: str, frame: pd.DataFrame) -> None:
        if frame is None or not len(frame):
            return
        stem, sheet = FILES[name]
        if self.use_csv:
            path = self.out_dir / f"{stem}.csv"
            first = name not in self.rows
            out = frame.copy()
            for col in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[col]):
                    fmt = "%Y-%m-%d %H:%M" if col in DATE_FMT else "%Y-%m-%d"
                    out[col] = out[col].dt.strftime(fmt)
            out.to_csv(path, mode="w" if first else "a", header=first, index=False, encoding="utf-8")
            self.paths[name] = path
        else:
            if name not in self.books:
                from openpyxl import Workbook
                wb = Workbook(write_only=True)
                ws = wb.create_sheet(sheet)
                ws.append(list(frame.columns))
                self.books[name] = (wb, ws, list(frame.columns))
            wb, ws, columns = self.books[name]
            _append_rows(ws, frame[columns])
        self.rows[name] = self.rows.get(name, 0) + len(frame)

    def close(self) -> dict[str, Path]:
        for name, (wb, _, _) in self.books.items():
            stem, _ = FILES[name]
            path = self.out_dir / f"{stem}.xlsx"
            tmp = path.with_suffix(".tmp.xlsx")
            wb.save(tmp)
            tmp.replace(path)
            self.paths[name] = path
        return self.paths


def _append_rows(ws, frame: pd.DataFrame) -> None:
    from openpyxl.cell import WriteOnlyCell

    formats = [DATE_FMT.get(c, "yyyy-mm-dd") if pd.api.types.is_datetime64_any_dtype(frame[c]) else None
               for c in frame.columns]
    columns = []
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            columns.append([None if pd.isna(v) else v.to_pydatetime() for v in col])
        else:
            columns.append([None if (v is None or (isinstance(v, float) and np.isnan(v))) else
                            (v.item() if isinstance(v, np.generic) else v) for v in col.astype(object)])
    for values in zip(*columns):
        row = []
        for v, fmt in zip(values, formats):
            if fmt and v is not None:
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = fmt
                row.append(cell)
            else:
                row.append(v)
        ws.append(row)
