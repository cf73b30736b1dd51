"""Performance management (绩效管理): KPI targets, role scorecards, appraisal and KPI decomposition."""
