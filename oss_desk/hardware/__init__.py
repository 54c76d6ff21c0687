"""Printers and the display board: pure encoders and their transports."""
