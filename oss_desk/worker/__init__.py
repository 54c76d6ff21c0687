"""The device worker: the one owner of the printers, the display board and the message outbox.

- :mod:`oss_desk.worker.printing`: print jobs, one delivery lane per printer;
- :mod:`oss_desk.worker.board`: the queue display board;
- :mod:`oss_desk.worker.messages`: confirmations, reminders and notices, one lane per way of
  sending (SMTP, GOV.UK Notify);
- :mod:`oss_desk.worker.leased`: the life every leased message lane shares;
- :mod:`oss_desk.worker.run`: the device worker and its threads;
- :mod:`oss_desk.worker.standby`: the lease (who owns the devices) and the standby that takes
  over when the owner goes.

The command line starts it (``oss-desk worker``, or a desk app's standby); the desk UI never
imports it. Nothing here is imported at ``import oss_desk.worker``.
"""
