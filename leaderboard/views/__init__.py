"""One module per tab of the leaderboard; each has show(view: BoardView)."""
