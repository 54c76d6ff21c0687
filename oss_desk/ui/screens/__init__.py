"""The desk app's screens, one per mode, on ``base.DeskScreen``, and the flows they share."""
