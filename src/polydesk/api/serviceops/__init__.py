"""ServiceOps (Motadata / Flotomate) REST dialect."""
