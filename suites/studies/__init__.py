"""Studies: scripts that run several solvers or suites and write tables and figures."""
