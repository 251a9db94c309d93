"""Studies: scripts that run the library on fixed settings and print the README's tables.

Each module keeps an argparse ``main``: ``python -m suites.studies.<name> --help``. Library code
(``qubo_bnn``, ``emulators``) imports nothing from here.
"""
