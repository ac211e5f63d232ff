"""The Streamlit leaderboard and the board store it reads."""
