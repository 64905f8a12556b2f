# JupyterHub configuration of the Sandlab hub image: everything comes from the hub's state
# and environment (see sandlab.hub.config), so this file never needs editing.
from sandlab.hub.config import configure

configure(c)  # noqa: F821 - `c` is JupyterHub's config object
