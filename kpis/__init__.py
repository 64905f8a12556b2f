"""The training's KPIs: signals recorded by the platform, computed per cohort, shown on a dashboard."""
