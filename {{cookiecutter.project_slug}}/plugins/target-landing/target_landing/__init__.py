"""Singer target for the landing zone: raw/<stream>/date=YYYY-MM-DD/<HHMMSS>-<uuid>.jsonl."""
