"""Customer requirements (客户需求反馈及跟进制度): the monthly summary of the requirement register.

The register (需求登记反馈表) holds one row per requirement: who reported it (填报人), for whom
(需求人), its urgency (需求分级 A-D), the decision group's verdict (决策结果: do, don't, revisit,
transformed), the promised and actual delivery dates and the status (blank, done, delayed with an
approved delay request). The procedure's monthly summary (需求收集处理月度总结) counts what was
submitted, decided, done and delayed in the month and ranks the staff by submissions and acceptance
rate; late delivery is penalised in steps (up to 1 day, up to 7 days, more).

Every function takes the period (``start``, ``end``, both included) so that a report may cover a
month, a quarter or a year, and returns canonical columns and codes; the page translates them.

Definitions used throughout:

- a *final decision* is do, don't or transformed; revisit (再议) means the group did not agree yet
  and is counted apart, never in the acceptance rate's denominator;
- *accepted* is do or transformed; acceptance rate = accepted / final decisions;
- a decision belongs to the period of its decision date (决策日期), or of the submission date when the
  register has no decision dates;
- the *due date* is the new date of an approved delay (新交付日) when there is one, else the promised
  date (预期交付日): the procedure judges a delayed requirement by its new date;
- a requirement is *done* by a day when it was delivered on or before it (or is marked done without a
  date); it is *open* when it is neither done nor declined (不做).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .config import Parameters
from .message import Listing, Message, Number, Percent

#: the Excel sheet of the requirements per customer (beside the open list's sheets per owner)
BY_CUSTOMER_SHEET = "excel.sheet.requirements_by_customer"
FINAL = ("do", "dont", "transform")
ACCEPTED = ("do", "transform")
OUTCOMES = ("early", "on_time", "late_short", "late_week", "late_long", "pending")
#: what separates the keywords of a summary (需求梗概 is "keywords and spaces", per the procedure)
_SEPARATORS = re.compile(r"[\s,，、。.;；:：!！?？/\\|()（）\[\]【】{}<>《》\"'“”‘’+＋&＆~～…-]+")

_DATES = ("submitted_date", "decided_date", "promised_date", "revised_date", "delivered_date")
_TEXT = ("requirement_id", "reporter", "requester", "customer_id", "product", "priority", "decision",
         "requirement_status", "owner", "summary", "note")


def prepare(register: pd.DataFrame, end) -> pd.DataFrame:
    """The register with every canonical column (blank when the file lacks it) and the derived ones:
    ``due_date``, ``done`` (by ``end``), ``open`` (at ``end``), ``accepted`` and ``final``."""
    out = register.copy()
    for column in _DATES:
        out[column] = pd.to_datetime(out[column]) if column in out else pd.Series(pd.NaT, index=out.index,
                                                                                   dtype="datetime64[ns]")
    for column in _TEXT:
        if column not in out:
            out[column] = pd.Series(None, index=out.index, dtype=object)
    end = _day(end)
    out["due_date"] = out["revised_date"].where(out["revised_date"].notna(), out["promised_date"])
    delivered = out["delivered_date"]
    out["done"] = (delivered.notna() & (delivered <= end)) | (delivered.isna() & out["requirement_status"].eq("done"))
    out["final"] = out["decision"].isin(FINAL)
    out["accepted"] = out["decision"].isin(ACCEPTED)
    out["open"] = (out["submitted_date"] <= end) & ~out["done"] & ~out["decision"].eq("dont")
    return out


def _day(value) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _within(dates: pd.Series, start, end) -> pd.Series:
    return dates.notna() & (dates >= _day(start)) & (dates <= _day(end))


def decided_in(frame: pd.DataFrame, start, end) -> pd.Series:
    """Rows whose decision falls in the period: by decision date, or by submission date without one."""
    when = frame["decided_date"].where(frame["decided_date"].notna(), frame["submitted_date"]) \
        if frame["decided_date"].notna().any() else frame["submitted_date"]
    return frame["decision"].notna() & _within(when, start, end)


def summary(register: pd.DataFrame, start, end, params: Parameters) -> pd.DataFrame:
    """The monthly summary in one row: submitted, final decisions (and accepted among them, and the
    acceptance rate), revisit, done (delivered in the period), delayed (an approved delay whose original
    promised date fell in the period), late (due in the period and delivered late or not yet), open at
    the end and overdue among them (accepted and past the due date)."""
    frame = prepare(register, end)
    decided = decided_in(frame, start, end)
    final = decided & frame["final"]
    delivery = delivery_table(register, start, end, params)
    judged = delivery[delivery["delivery_outcome"] != "pending"]
    delayed = (frame["requirement_status"].eq("delayed") | frame["revised_date"].notna()) \
        & _within(frame["promised_date"], start, end)
    overdue = frame["open"] & frame["accepted"] & (frame["due_date"] < _day(end))
    accepted = int((final & frame["accepted"]).sum())
    return pd.DataFrame([{
        "submitted": int(_within(frame["submitted_date"], start, end).sum()),
        "final_decisions": int(final.sum()), "accepted": accepted,
        "acceptance_rate": accepted / int(final.sum()) if final.any() else np.nan,
        "revisit": int((decided & frame["decision"].eq("revisit")).sum()),
        "delivered": int(_within(frame["delivered_date"], start, end).sum()),
        "delayed": int(delayed.sum()),
        "missed_date": int(judged["delivery_outcome"].isin(["late_short", "late_week", "late_long"]).sum()),
        "open_end": int(frame["open"].sum()), "overdue": int(overdue.sum())}])


def decision_mix(register: pd.DataFrame, start, end) -> pd.DataFrame:
    """Decisions made in the period by result (do, transformed, don't, revisit), with their share."""
    frame = prepare(register, end)
    decisions = frame.loc[decided_in(frame, start, end), "decision"]
    order = ["do", "transform", "dont", "revisit"]
    counts = decisions.value_counts().reindex(order, fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame({"decision": order, "count": counts.to_numpy().astype(int),
                         "decision_share": counts.to_numpy() / total if total else np.nan})


def delivery_table(register: pd.DataFrame, start, end, params: Parameters) -> pd.DataFrame:
    """Requirements to deliver whose due date falls in the period, each with its outcome.

    Outcome: early (delivered before the due date), on_time (on it: the procedure allows until the end
    of that working day), late_short / late_week / late_long (late by up to ``requirements.late_steps[0]``
    days, up to ``late_steps[1]``, more), pending (due on the period's last day and not delivered yet).
    A requirement not delivered by the period end is late by the days so far (``still_open``).
    Declined and undecided requirements have nothing to deliver and are left out.
    """
    frame = prepare(register, end)
    end_day = _day(end)
    due = frame[_within(frame["due_date"], start, end) & ~frame["decision"].isin(["dont", "revisit"])].copy()
    delivered = due["delivered_date"].where(due["delivered_date"] <= end_day)
    days = (delivered.fillna(end_day) - due["due_date"]).dt.days
    short, week = params.requirements.late_steps
    late = np.select([days <= short, days <= week], ["late_short", "late_week"], "late_long")
    due["days_late"] = days.clip(lower=0).astype(int)
    due["still_open"] = delivered.isna()
    due["delivery_outcome"] = np.where(delivered.notna() & (days < 0), "early",
                              np.where(days <= 0, np.where(delivered.notna(), "on_time", "pending"), late))
    columns = ["requirement_id", "reporter", "owner", "priority", "product", "due_date", "delivered_date",
               "days_late", "still_open", "delivery_outcome"]
    return due[columns].sort_values(["due_date", "requirement_id"], kind="stable").reset_index(drop=True)


def delivery_summary(delivery: pd.DataFrame) -> pd.DataFrame:
    """Requirements due in the period by outcome, with each outcome's share of those judged (pending
    ones are not judged yet and have no share)."""
    counts = delivery["delivery_outcome"].value_counts().reindex(list(OUTCOMES), fill_value=0).astype(int)
    judged = int(counts.drop("pending").sum())
    share = [c / judged if judged and o != "pending" else np.nan for o, c in counts.items()]
    return pd.DataFrame({"delivery_outcome": list(OUTCOMES), "count": counts.to_numpy(), "delivery_share": share})


def on_time_rate(delivery: pd.DataFrame) -> float:
    """Share of the judged requirements delivered on or before their due date (NaN when none is judged)."""
    judged = delivery[delivery["delivery_outcome"] != "pending"]
    return float(judged["delivery_outcome"].isin(["early", "on_time"]).mean()) if len(judged) else np.nan


def overdue_urgent(register: pd.DataFrame, end, params: Parameters) -> pd.DataFrame:
    """Open requirements of the urgent priorities (``requirements.urgent``, A and B) accepted and past their
    due date at ``end``: most overdue first."""
    frame = prepare(register, end)
    end_day = _day(end)
    late = frame[frame["open"] & frame["accepted"] & frame["priority"].isin(params.requirements.urgent)
                 & (frame["due_date"] < end_day)].copy()
    late["days_overdue"] = (end_day - late["due_date"]).dt.days.astype(int)
    columns = ["requirement_id", "priority", "reporter", "owner", "customer_id", "product", "submitted_date",
               "due_date", "days_overdue", "summary"]
    return late[columns].sort_values(["days_overdue", "priority", "requirement_id"], ascending=[False, True, True],
                                     kind="stable").reset_index(drop=True)


def staff_ranking(register: pd.DataFrame, start, end, params: Parameters) -> pd.DataFrame:
    """Staff (填报人) by submissions in the period and by acceptance rate of the final decisions made in it.

    Both ranks are competition ranks (equal values share a rank, the next rank skips: 1, 1, 3). Staff with
    fewer than ``requirements.min_decided`` final decisions show their counts and rate but get no
    acceptance rank: a rate of 1 out of 1 is not a record. Ordered by acceptance rank (unranked last),
    then submissions, then name.
    """
    frame = prepare(register, end)
    frame = frame[frame["reporter"].notna()]
    submitted = frame[_within(frame["submitted_date"], start, end)].groupby("reporter").size()
    decided = frame[decided_in(frame, start, end) & frame["final"]]
    final = decided.groupby("reporter").size()
    accepted = decided[decided["accepted"]].groupby("reporter").size()
    names = sorted(set(submitted.index) | set(final.index))
    out = pd.DataFrame({"reporter": names})
    out["submitted"] = out["reporter"].map(submitted).fillna(0).astype(int)
    out["final_decisions"] = out["reporter"].map(final).fillna(0).astype(int)
    out["accepted"] = out["reporter"].map(accepted).fillna(0).astype(int)
    out["acceptance_rate"] = out["accepted"] / out["final_decisions"].where(out["final_decisions"] > 0)
    out["rank_submitted"] = out["submitted"].rank(method="min", ascending=False).astype(int)
    eligible = out["final_decisions"] >= params.requirements.min_decided
    # equal fractions (2/4 and 3/6) must tie: compare the rates rounded well below float noise
    rate = out["acceptance_rate"].round(12).where(eligible)
    out["rank_acceptance"] = rate.rank(method="min", ascending=False).astype("Int64")
    return out.sort_values(["rank_acceptance", "submitted", "reporter"], ascending=[True, False, True],
                           na_position="last", kind="stable").reset_index(drop=True)


def requirements_by(register: pd.DataFrame, start, end, column: str) -> pd.DataFrame:
    """Requirements submitted in the period per ``column`` (customer_id or product): submitted, accepted,
    done by the end and still open; most submitted first. Empty when the register has no such column."""
    frame = prepare(register, end)
    frame = frame[_within(frame["submitted_date"], start, end) & frame[column].notna()]
    if frame.empty:
        return pd.DataFrame(columns=[column, "submitted", "accepted", "delivered", "open_end"])
    grouped = frame.groupby(column).agg(submitted=("requirement_id", "size"), accepted=("accepted", "sum"),
                                        delivered=("done", "sum"), open_end=("open", "sum")).reset_index()
    for name in ("accepted", "delivered", "open_end"):
        grouped[name] = grouped[name].astype(int)
    return grouped.sort_values(["submitted", column], ascending=[False, True], kind="stable").reset_index(drop=True)


def keywords(text) -> list[str]:
    """The keywords of one summary, in order, each once: the procedure asks for "keywords and spaces", so
    the words are what the reporter separated (spaces, punctuation); single characters are dropped, Latin
    letters lower-cased. No word segmenter is needed for that format, and none is guessed for text without
    separators: such a summary counts as one phrase."""
    if not isinstance(text, str):
        return []
    words = [w.lower() if w.isascii() else w for w in _SEPARATORS.split(text.strip())]
    return list(dict.fromkeys(w for w in words if len(w) >= 2))


def top_keywords(register: pd.DataFrame, start, end, params: Parameters) -> pd.DataFrame:
    """The most frequent keywords of the summaries (需求梗概) submitted in the period, per product: the
    ``requirements.top_words`` keywords named by the most requirements, ties by the keyword."""
    frame = prepare(register, end)
    frame = frame[_within(frame["submitted_date"], start, end) & frame["summary"].notna()]
    columns = ["product", "keyword", "mentions"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    words = frame.assign(keyword=frame["summary"].map(keywords), product=frame["product"].fillna("—"))
    words = words.explode("keyword").dropna(subset=["keyword"])
    counts = words.groupby(["product", "keyword"]).size().rename("mentions").reset_index()
    counts = counts.sort_values(["product", "mentions", "keyword"], ascending=[True, False, True], kind="stable")
    return counts.groupby("product", sort=True).head(params.requirements.top_words).reset_index(drop=True)[columns]


def open_list(register: pd.DataFrame, end, params: Parameters) -> pd.DataFrame:
    """Every requirement open at ``end`` for its owner's list: who delivers it (负责人, else the reporter),
    its urgency, decision (blank or revisit: waiting for the decision group), due date and days overdue;
    overdue ones first, then by urgency and due date."""
    frame = prepare(register, end)
    end_day = _day(end)
    items = frame[frame["open"]].copy()
    items["owner"] = items["owner"].where(items["owner"].notna(), items["reporter"])
    items["days_overdue"] = (end_day - items["due_date"]).dt.days.where(
        items["accepted"] & (items["due_date"] < end_day)).astype("Int64")
    items["overdue"] = items["days_overdue"].notna()
    columns = ["requirement_id", "owner", "reporter", "priority", "decision", "requirement_status", "submitted_date",
               "due_date", "overdue", "days_overdue", "customer_id", "product", "summary"]
    return items[columns].sort_values(["overdue", "priority", "due_date", "requirement_id"],
                                      ascending=[False, True, True, True], na_position="last",
                                      kind="stable").reset_index(drop=True)


def lists_by_owner(items: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One Excel sheet per owner (by name), or one sheet when nobody is named."""
    if items.empty or items["owner"].isna().all():
        return {"excel.sheet.requirements": items}
    return {str(name): group.reset_index(drop=True)
            for name, group in items.groupby(items["owner"].fillna("—"), sort=True)}


# ----------------------------------------------------------------------------- sentences of the page

def absent_message(tables, params: Parameters) -> Message | None:
    """What is missing when the register was not supplied (None when it was)."""
    if "requirements" in tables:
        return None
    source = params.data.sources.get("requirements")
    where = f"{params.data.raw_dir}/{source.file}" if source else "data.sources.requirements"
    return Message.of("req.absent", file=where)


def intro_message(register: pd.DataFrame, start, end) -> Message:
    return Message.of("req.intro", start=_day(start), end=_day(end), n=len(register))


def summary_message(table: pd.DataFrame, start, end) -> Message:
    """The summary row as the procedure's sentence."""
    row = table.iloc[0]
    return Message.of("req.summary", start=_day(start), end=_day(end), submitted=int(row["submitted"]),
                      decided=int(row["final_decisions"]), accepted=int(row["accepted"]),
                      rate=Percent(row["acceptance_rate"]), revisit=int(row["revisit"]), done=int(row["delivered"]),
                      delayed=int(row["delayed"]), open=int(row["open_end"]), overdue=int(row["overdue"]))


def delivery_message(delivery: pd.DataFrame, params: Parameters) -> Message:
    """On-time delivery of the requirements due in the period, with the penalty steps."""
    counts = delivery["delivery_outcome"].value_counts()
    short, week = params.requirements.late_steps
    if not len(delivery):
        return Message("req.delivery_none")
    return Message.of("req.delivery", due=len(delivery), rate=Percent(on_time_rate(delivery)),
                      on_time=int(counts.get("early", 0) + counts.get("on_time", 0)), early=int(counts.get("early", 0)),
                      short=int(counts.get("late_short", 0)), week=int(counts.get("late_week", 0)),
                      long=int(counts.get("late_long", 0)), pending=int(counts.get("pending", 0)),
                      still_open=int((delivery["still_open"] & (delivery["delivery_outcome"] != "pending")).sum()),
                      s1=short, s2=week)


def delivery_finding(summary_table: pd.DataFrame) -> Message:
    """Alt text of the delivery chart: how many were on time and how many late, of those judged."""
    counts = summary_table.set_index("delivery_outcome")["count"]
    on_time = int(counts.get("early", 0) + counts.get("on_time", 0))
    late = int(counts.get("late_short", 0) + counts.get("late_week", 0) + counts.get("late_long", 0))
    return Message.of("req.alt.delivery", on_time=on_time, late=late,
                      rate=Percent(on_time / (on_time + late) if on_time + late else np.nan))


def open_message(items: pd.DataFrame) -> Message:
    """How many requirements are open at the end and how many of them are overdue."""
    return Message.of("req.open", n=len(items), overdue=int(items["overdue"].sum()) if len(items) else 0)


def overdue_message(overdue: pd.DataFrame, params: Parameters) -> Message:
    if overdue.empty:
        return Message.of("req.overdue_none", levels=Listing(params.requirements.urgent))
    return Message.of("req.overdue", n=len(overdue), levels=Listing(params.requirements.urgent),
                      days=int(overdue["days_overdue"].max()))


def ranking_message(ranking: pd.DataFrame, params: Parameters) -> Message | None:
    """Who submitted most, and the best and lowest acceptance rates among the ranked staff."""
    if ranking.empty or ranking["submitted"].max() == 0:
        return None
    most = ranking.sort_values(["submitted", "reporter"], ascending=[False, True], kind="stable").iloc[0]
    ranked = ranking[ranking["rank_acceptance"].notna()]
    if ranked.empty:
        return Message.of("req.ranking_unranked", most=str(most["reporter"]), n=int(most["submitted"]),
                          min=params.requirements.min_decided)
    best = ranked.iloc[0]
    low = ranked.sort_values(["acceptance_rate", "final_decisions", "reporter"], ascending=[True, False, True],
                             kind="stable").iloc[0]
    return Message.of("req.ranking", most=str(most["reporter"]), n=int(most["submitted"]), best=str(best["reporter"]),
                      best_rate=Percent(best["acceptance_rate"]), best_decided=int(best["final_decisions"]),
                      low=str(low["reporter"]), low_rate=Percent(low["acceptance_rate"]),
                      low_accepted=int(low["accepted"]), low_decided=int(low["final_decisions"]),
                      min=params.requirements.min_decided)


def headlines(table: pd.DataFrame | None, delivery: pd.DataFrame | None, overdue: pd.DataFrame | None) -> list[dict]:
    """Headline figures: submitted, acceptance rate, on-time delivery, urgent requirements overdue (blank
    when the register is absent)."""
    row = table.iloc[0] if table is not None and len(table) else None
    rate = np.nan if delivery is None else on_time_rate(delivery)
    return [
        {"key": "req.headline.submitted", "value": Number(None if row is None else int(row["submitted"]))},
        {"key": "req.headline.acceptance", "value": Percent(np.nan if row is None else row["acceptance_rate"]),
         "better": "up"},
        {"key": "req.headline.on_time", "value": Percent(rate), "better": "up",
         "status": "warn" if rate < 1 else "ok"},
        {"key": "req.headline.overdue", "value": Number(None if overdue is None else len(overdue)), "better": "down",
         "status": "ok" if overdue is None or overdue.empty else "bad"},
    ]


def findings(table: pd.DataFrame, delivery: pd.DataFrame, overdue: pd.DataFrame, ranking: pd.DataFrame,
             params: Parameters, start, end) -> list[Message]:
    """The page's most important findings, most important first."""
    out = [summary_message(table, start, end), overdue_message(overdue, params), delivery_message(delivery, params)]
    ranked = ranking_message(ranking, params)
    return out + ([ranked] if ranked is not None else [])
