"""The leaderboard's data side: submission checks (`submission`), the board store (`store`, SQLite + copies of run
folders), board rows for measured and reported results (`rows`, `reported`). The Streamlit app (leaderboard/) only
reads what this package writes."""
