"""Sales goals (销售目标): set for a year, broken down to months, weeks, teams and managers;
their actuals and the morning leaderboard."""
