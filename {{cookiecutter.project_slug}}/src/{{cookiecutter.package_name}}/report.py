"""The report step: a static, offline HTML page of the marts, with plotly charts and a table."""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .settings import Settings
from .steps import PipelineError
from .warehouse import read_only

PROJECT_NAME = {{ cookiecutter.project_name | py_string }}
PAGE = Template((Path(__file__).parent / "report.html").read_text(encoding="utf-8"))
SECTION = Template('<section id="$anchor">\n<h2>$heading</h2>\n$body\n</section>')
MARTS = {
    "daily_active_users": "select * from marts.fct_daily_active_users order by activity_date",
    "funnel": "select * from marts.fct_funnel order by funnel_step",
    "campaigns": "select * from marts.fct_campaign_performance order by spend desc, campaign",
}


def report(settings: Settings) -> str:
    """Write settings.reports_dir / "index.html"; return what it holds and how big it is."""
    marts = read_marts(settings.warehouse_path)
    figures = [
        ("daily-active-users", "Daily active users", daily_active(marts["daily_active_users"])),
        ("funnel", "Funnel", funnel(marts["funnel"])),
        ("campaigns", "Campaign spend and revenue", campaigns(marts["campaigns"])),
    ]
    sections = [
        SECTION.substitute(anchor=anchor, heading=heading, body=chart_html(figure, anchor, n == 0))
        for n, (anchor, heading, figure) in enumerate(figures)
    ]
    sections.append(
        SECTION.substitute(
            anchor="campaign-table", heading="Campaigns", body=campaign_table(marts["campaigns"])
        )
    )
    path = settings.reports_dir / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    page = PAGE.substitute(
        title=html.escape(f"{PROJECT_NAME}: product and marketing"),
        summary=html.escape(headline(marts)),
        sections="\n".join(sections),
        warehouse=html.escape(settings.warehouse_path.name),
    )
    path.write_text(page, encoding="utf-8")
    size = path.stat().st_size / 1_000_000
    where = shown(path, settings)
    return f"{len(figures)} charts from {len(marts)} marts into {where} ({size:.1f} MB)"


def read_marts(warehouse: Path) -> dict[str, pd.DataFrame]:
    with read_only(warehouse, needed_by="transform") as connection:
        try:
            return {name: connection.sql(query).df() for name, query in MARTS.items()}
        except duckdb.CatalogException as error:
            first_line = str(error).splitlines()[0]
            message = f"a mart is missing ({first_line}): run `pipeline transform`"
            raise PipelineError(message) from None


def daily_active(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for column, name in (("active_users", "Active users"), ("new_users", "New users")):
        figure.add_scatter(x=frame["activity_date"], y=frame[column], name=name, mode="lines")
    return styled(figure, yaxis_title="Users")


def funnel(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Funnel(y=frame["event_name"], x=frame["users"], textinfo="value+percent initial")
    )
    return styled(figure)


def campaigns(frame: pd.DataFrame) -> go.Figure:
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_bar(x=frame["campaign"], y=frame["spend"], name="Spend")
    figure.add_bar(x=frame["campaign"], y=frame["revenue"], name="Revenue")
    figure.add_scatter(
        x=frame["campaign"],
        y=frame["cost_per_conversion"],
        name="Cost per conversion",
        mode="markers",
        marker={"size": 12, "symbol": "diamond"},
        secondary_y=True,
    )
    figure.update_yaxes(title_text="Spend and revenue", secondary_y=False)
    figure.update_yaxes(
        title_text="Cost per conversion", secondary_y=True, rangemode="tozero", showgrid=False
    )
    return styled(figure, barmode="group")


def styled(figure: go.Figure, **layout: object) -> go.Figure:
    return figure.update_layout(
        template="plotly_white", height=420, margin={"t": 20}, legend={"orientation": "h"}, **layout
    )


def chart_html(figure: go.Figure, anchor: str, first: bool) -> str:
    # The first chart carries plotly.js inline so the page works offline; the others reuse it.
    return figure.to_html(
        full_html=False,
        include_plotlyjs=first,
        div_id=f"{anchor}-chart",
        config={"displaylogo": False, "responsive": True},
    )


def campaign_table(frame: pd.DataFrame) -> str:
    columns = {
        "campaign": "Campaign",
        "source": "Source",
        "medium": "Medium",
        "spend": "Spend",
        "conversions": "Conversions",
        "revenue": "Revenue",
        "cost_per_conversion": "Cost per conversion",
        "return_on_ad_spend": "Return on ad spend",
    }
    table = frame[list(columns)].rename(columns=columns)
    return table.to_html(index=False, border=0, na_rep="–", float_format="{:,.2f}".format)


def headline(marts: dict[str, pd.DataFrame]) -> str:
    days = marts["daily_active_users"]
    spend = marts["campaigns"]["spend"].sum()
    revenue = marts["campaigns"]["revenue"].sum()
    if days.empty:
        return "No activity in the marts yet."
    first, last = days["activity_date"].min(), days["activity_date"].max()
    return (
        f"{first:%Y-%m-%d} to {last:%Y-%m-%d}: {days['new_users'].sum():,} new users, "
        f"{spend:,.2f} spent on campaigns, {revenue:,.2f} revenue attributed to them"
        " (last touch; conversions are the tracking plan's conversion events)."
    )


def shown(path: Path, settings: Settings) -> str:
    """The path relative to the project when it lives there, as a user would type it."""
    if path.is_relative_to(settings.project_dir):
        return str(path.relative_to(settings.project_dir))
    return str(path)
