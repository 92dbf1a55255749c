"""Outputs of an analysed session: result.json (schema + writer), report.html and its plots."""
