"""The blocking service: real-time call decisions at downstream providers from the block list."""
