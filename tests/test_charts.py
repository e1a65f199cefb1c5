"""Charts: nothing personal is drawn, axes tell the truth, targets are labelled, legends stay off the data."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import charts

PHONE = "客户电话13912345678不接"
EMAIL = "请回复 li.na@example.cn"


@pytest.fixture(autouse=True)
def style():
    charts.use_style()
    yield
    plt.close("all")


def _all_text(fig) -> str:
    return " ".join(charts.drawn_text(fig))


@pytest.mark.parametrize("draw", [
    lambda: charts.pareto_chart([PHONE, "价格因素"], [5, 3], [0.625, 1.0], "战败原因 " + EMAIL, "线索数", "累计占比"),
    lambda: charts.bar_with_ci([PHONE, "交期"], [3.2, 4.1], [3.0, 3.9], [3.4, 4.3], "标题", "平均分", ymin=1, ymax=5),
    lambda: charts.line_chart(pd.DataFrame({PHONE: [1, 2], "交期": [2, 3]}, index=["2026-09", "2026-10"]), "趋势"),
    lambda: charts.stacked_bars(pd.DataFrame({EMAIL: [1, 2]}, index=[PHONE, "2026-10"]), "投诉"),
    lambda: charts.importance_performance([PHONE, "交期"], [0.4, 0.2], [0.7, 0.8], [True, False], "IPA", "表现", "权重"),
    lambda: charts.step_curves(pd.DataFrame({"segment": [PHONE, "A"], "time": [1, 2], "survival": [0.9, 0.8]}),
                               "留存", "月", "比例"),
    lambda: charts.bars([PHONE, "B"], [3, 4], "各等级客户数"),
])
def test_no_contact_detail_is_ever_drawn(draw):
    text = _all_text(draw())
    assert "13912345678" not in text and "li.na@example.cn" not in text
    assert "139****5678" in text or "***@example.cn" in text  # masked, still recognisable


def test_means_start_at_the_scale_and_the_target_is_labelled():
    fig = charts.bar_with_ci(["品质", "交期"], [4.02, 3.89], [3.9, 3.8], [4.1, 4.0], "各项目平均分", "平均分", ymin=1,
                             ymax=5, target=4.0, target_label="目标")
    ax = fig.axes[0]
    assert ax.get_ylim() == (1, 5)  # not from 3.9: a small difference is drawn small
    assert "目标\n4" in charts.drawn_text(fig)


def test_shares_are_drawn_on_their_own_percent_axis():
    fig = charts.pareto_chart(["a", "b"], [5, 3], [0.625, 1.0], "t", "数量", "累计占比")
    left, right = fig.axes
    assert left.get_ylim()[1] < 10 and right.get_ylim() == (0, 1.05)
    fig.canvas.draw()
    assert any(label.get_text().endswith("%") for label in right.get_yticklabels())


def test_legends_sit_below_the_plot():
    fig = charts.line_chart(pd.DataFrame({"品质": [4, 4.1], "交期": [3.8, 3.9]}, index=["上期", "本期"]), "趋势", ymin=1)
    fig.canvas.draw()
    legend = fig.axes[0].get_legend().get_window_extent()
    plot = fig.axes[0].get_window_extent()
    assert legend.y1 <= plot.y0  # entirely under the axes, never over the lines
