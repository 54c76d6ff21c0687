"""oss-desk: the front desk of a UK council One Stop Shop.

Importing the package has no side effects: nothing is opened, created or configured here.
"""

__version__ = "0.1.0"
