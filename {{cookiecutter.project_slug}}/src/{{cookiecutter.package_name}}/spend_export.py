"""A sample ad-platform spend export: one CSV a day, per campaign of the tracking plan.

It stands in for the files an ad platform drops for the Singer tap `tap-marketing-spend` to read.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .settings import Settings
from .tracking_plan import Campaign, load_tracking_plan

COLUMNS = ["date", "campaign", "source", "medium", "spend", "impressions", "clicks", "currency"]
# The currency the sample orders are paid in, so return on ad spend compares like with like.
CURRENCY = "EUR"
# Per medium: (impressions per day, click-through rate, cost per click); email clicks cost little.
MEDIUM_PROFILE = {
    "cpc": (9_000, 0.035, 0.80),
    "paid_social": (14_000, 0.012, 0.55),
    "email": (2_500, 0.060, 0.02),
}
DEFAULT_PROFILE = (5_000, 0.020, 0.50)


def write_sample_export(settings: Settings) -> int:
    """Write the last `sample_days` daily files up to today (UTC); return the rows written.

    A day's content depends only on the seed and the day, so a re-run rewrites nothing.
    """
    folder = settings.exports_dir / "marketing_spend"
    folder.mkdir(parents=True, exist_ok=True)
    campaigns = load_tracking_plan(settings.project_dir / "tracking_plan.yml").campaigns
    today = datetime.now(UTC).date()
    written = 0
    for offset in range(settings.sample_days - 1, -1, -1):
        day = today - timedelta(days=offset)
        rows = [_row(day, campaign, settings.sample_seed) for campaign in campaigns]
        if _write_if_changed(folder / f"spend_{day.isoformat()}.csv", rows):
            written += len(rows)
    return written


def _row(day: date, campaign: Campaign, seed: int) -> dict[str, Any]:
    # Seeded by day and campaign, not by position, so changing sample_days keeps old days stable.
    rng = random.Random(f"{seed}:{day.isoformat()}:{campaign.name}")
    reach, click_rate, cost_per_click = MEDIUM_PROFILE.get(campaign.medium, DEFAULT_PROFILE)
    impressions = round(reach * rng.uniform(0.7, 1.3))
    clicks = round(impressions * click_rate * rng.uniform(0.8, 1.2))
    return {
        "date": day.isoformat(),
        "campaign": campaign.name,
        "source": campaign.source,
        "medium": campaign.medium,
        "spend": f"{clicks * cost_per_click * rng.uniform(0.9, 1.1):.2f}",
        "impressions": impressions,
        "clicks": clicks,
        "currency": CURRENCY,
    }


def _write_if_changed(path: Path, rows: list[dict[str, Any]]) -> bool:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    content = buffer.getvalue()
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    # Written whole then renamed, so the tap never reads half a file.
    partial = path.with_suffix(".csv.partial")
    partial.write_text(content, encoding="utf-8")
    partial.replace(path)
    return True
