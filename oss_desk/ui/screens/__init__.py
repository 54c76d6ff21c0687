"""The desk app's screens, one per mode (meet-and-greet, adviser, leader, appointments)."""
