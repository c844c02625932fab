"""Running pledgewatch unattended: configuration, the run lock, structured logs, run records and health."""
