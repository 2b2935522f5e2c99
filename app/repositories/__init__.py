"""Data access: parameterized SQL only; functions never commit and never see HTTP."""
