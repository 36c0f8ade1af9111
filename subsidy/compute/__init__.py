"""Compute subsidy at the AI Supercomputing Centre: each grant's allocation of GPU-hours,
the Centre's monthly usage statements and the subsidy they draw (docs/compute.md)."""
