"""Problem adapters (see :mod:`suites.problems` for the contract and the registry)."""
