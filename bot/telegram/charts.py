"""PNG chart of questions per day by language, with the answered share (matplotlib, Agg, no pyplot).

Figures are built with the object API and rendered by the Agg canvas, so charts can be drawn in worker
threads without pyplot's global state.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from bot.messages import LANGS, t
from bot.telegram.state import DayStats

COLOURS = {"kk": "#1f77b4", "ru": "#d62728", "en": "#2ca02c"}


def questions_chart(stats: list[DayStats], lang: str, days: int = 30, today: date | None = None) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    today = today or date.today()
    axis_days = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    index = {d.isoformat(): i for i, d in enumerate(axis_days)}
    counts = {code: [0] * days for code in LANGS}
    answered = [0] * days
    for row in stats:
        i = index.get(row.day)
        if i is None:
            continue
        counts.setdefault(row.language, [0] * days)[i] += row.total
        answered[i] += row.answered
    totals = [sum(series[i] for series in counts.values()) for i in range(days)]

    figure = Figure(figsize=(10, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot(1, 1, 1)
    bottom = [0] * days
    x = list(range(days))
    for code, series in counts.items():
        if any(series):
            ax.bar(x, series, bottom=bottom, color=COLOURS.get(code, "#7f7f7f"), label=code, width=0.8)
            bottom = [b + s for b, s in zip(bottom, series, strict=True)]
    ax.set_ylabel(t("chart_questions", lang))
    ax.set_title(t("chart_title", lang))
    step = max(1, days // 10)
    ax.set_xticks(x[::step])
    ax.set_xticklabels([d.strftime("%d.%m") for d in axis_days[::step]])
    ax.yaxis.get_major_locator().set_params(integer=True)

    share_axis = ax.twinx()
    share_x = [i for i in x if totals[i]]
    share = [100.0 * answered[i] / totals[i] for i in share_x]
    share_axis.plot(share_x, share, color="black", marker="o", linewidth=1.5, label=t("chart_answered", lang))
    share_axis.set_ylim(0, 105)
    share_axis.set_ylabel(t("chart_answered", lang))

    handles, labels = ax.get_legend_handles_labels()
    more_handles, more_labels = share_axis.get_legend_handles_labels()
    ax.legend(handles + more_handles, labels + more_labels, loc="upper left", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
