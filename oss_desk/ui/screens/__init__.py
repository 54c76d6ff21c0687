"""The desk app's screens: one module per area, each built on ``base.DeskScreen``."""
