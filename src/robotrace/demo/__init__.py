"""``robotrace demo``: the whole story on a small simulated world."""
