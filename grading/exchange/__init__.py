"""nbgrader's exchange as a JupyterHub service: no folder is shared between learner containers."""
