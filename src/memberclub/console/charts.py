"""Report charts drawn on the server as SVG with pygal: no script, no fonts or files fetched.

Series are told apart by their line pattern and by the labels and values printed on them,
never by colour alone; every chart sits next to the table of its figures.
"""

import sys
from collections.abc import Sequence

import pygal
from pygal.style import Style

from memberclub import formats

# pygal adds an import hook for its optional map plugins that only has the pre-3.4 finder API,
# so every later failed import anywhere warns (an error under the tests). No map is drawn here.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#888",
    colors=("#1f4e79", "#c55a11", "#548235", "#7030a0", "#404040"),
    font_family="'IPAexGothic', 'Noto Sans CJK JP', sans-serif",
    title_font_size=16,
    label_font_size=11,
    legend_font_size=12,
    value_font_size=10,
)
# One dash pattern per series, so that lines are told apart in black and white.
DASHES = ("", "8, 4", "2, 4", "12, 4, 2, 4", "4, 8")


def _points(value: float | None) -> str:
    return "" if value is None else formats.points(int(value))


def _options(title: str) -> dict[str, object]:
    return {
        "title": title,
        "style": STYLE,
        # pygal's tooltips load a script from the web: a console behind a firewall has none.
        "js": [],
        "disable_xml_declaration": True,
        "width": 760,
        "height": 360,
        "legend_at_bottom": True,
        "value_formatter": _points,
        "x_label_rotation": 30,
        "show_minor_x_labels": True,
        "truncate_label": -1,
    }


def lines_svg(title: str, labels: Sequence[str], series: dict[str, Sequence[int]]) -> str:
    """A line chart, one dash pattern and one dot per value for each series."""
    chart = pygal.Line(**_options(title), dots_size=3, print_values=False)
    chart.x_labels = list(labels)
    for number, (name, values) in enumerate(series.items()):
        chart.add(
            name,
            list(values),
            stroke_style={"width": 2, "dasharray": DASHES[number % len(DASHES)]},
        )
    return str(chart.render(is_unicode=True))


def bars_svg(
    title: str, labels: Sequence[str], values: Sequence[float], *, share: bool = False
) -> str:
    """A bar chart of one series with each bar's value printed on it."""
    options = _options(title)
    if share:
        options["value_formatter"] = lambda value: f"{value:.1%}"
    chart = pygal.Bar(**options, print_values=True, show_legend=False)
    chart.x_labels = list(labels)
    chart.add(title, list(values))
    return str(chart.render(is_unicode=True))
