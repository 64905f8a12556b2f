"""Sandlab: a sandboxed hands-on lab environment for teaching AI inside a company."""
