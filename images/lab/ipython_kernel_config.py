# Every kernel of the lab image counts the learner's executed cells per minute for the KPI service
# (sandlab.kpis.kernel_activity; it does nothing without $SANDLAB_KPIS_URL, as in the autograding sandbox).
# Installed as <sys.prefix>/etc/ipython/ipython_kernel_config.py, i.e. /opt/sandlab/etc/ipython/: IPython
# reads a kernel's config from ~/.ipython/profile_default/, then <sys.prefix>/etc/ipython (the venv's own,
# IPython's ENV_CONFIG_DIRS), /usr/local/etc/ipython and /etc/ipython; not from the Jupyter config path.
# A learner's own profile config wins, so a learner can turn it off there.
c = get_config()  # noqa: F821 - provided by traitlets when IPython loads this file
c.InteractiveShellApp.extensions = ["sandlab.kpis.kernel_activity"]
