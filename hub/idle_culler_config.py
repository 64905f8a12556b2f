# jupyterhub-idle-culler's configuration in the hub image (`--config`): its usual rule, except for
# servers warmed ahead of a session, kept until the session has started (sandlab.hub.warm).
from sandlab.hub.warm import cull_arbiter

c.IdleCuller.cull_arbiter_hook = cull_arbiter  # noqa: F821 - `c` is the culler's config object
