"""The platform: JupyterHub configuration, the hardened spawner, accounts and cohorts.

Inside the hub image: :mod:`sandlab.hub.config` (imported by jupyterhub_config.py) and
:mod:`sandlab.hub.manage`. On IT's machine: :mod:`sandlab.hub.platform` and the CLI.
"""
