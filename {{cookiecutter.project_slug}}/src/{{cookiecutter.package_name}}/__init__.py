"""{{ cookiecutter.project_name }}: the pipeline from tracked events and sources to marts and reports."""
