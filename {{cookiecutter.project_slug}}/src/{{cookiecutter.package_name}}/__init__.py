"""The data platform's pipeline: from tracked events and sources to marts and reports."""
