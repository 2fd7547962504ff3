"""Singer tap for the daily spend exports that ad platforms drop into a folder."""
